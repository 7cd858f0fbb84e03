#include "proxy/admin/proxy_access.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sp::proxy {
namespace {

TEST(ProxyCommandNames, KnowsPROXYAndItsSubcommandsInAnyCase) {
  const ProxyCommandNames names;
  EXPECT_TRUE(names.is_proxy("PROXY"));
  EXPECT_TRUE(names.is_proxy("proxy"));
  EXPECT_FALSE(names.is_proxy("PROXYX"));
  EXPECT_EQ(names.canonical_subcommand("Info"), "info");
  EXPECT_EQ(names.canonical_subcommand("FAILOVER"), "failover");
  EXPECT_EQ(names.canonical_subcommand("nothing"), "");
}

TEST(ProxyCommandNames, RenamesAndDisablesAsRedisRenameCommand) {
  ProxyCommandNames names;
  EXPECT_EQ(names.rename("PROXY|FAILOVER", ""), "");
  EXPECT_EQ(names.rename("proxy|info", "Stats"), "");
  EXPECT_EQ(names.canonical_subcommand("failover"), "");  // disabled
  EXPECT_EQ(names.canonical_subcommand("info"), "");      // renamed away
  EXPECT_EQ(names.canonical_subcommand("STATS"), "info");
  EXPECT_EQ(names.canonical_subcommand("topology"), "topology");
  // Two subcommands cannot share a name.
  EXPECT_NE(names.rename("proxy|topology", "stats"), "");
  EXPECT_EQ(names.canonical_subcommand("topology"), "topology");
  EXPECT_NE(names.rename("proxy|nothing", "x"), "");
  EXPECT_NE(names.rename("config", "x"), "");  // Redis's own commands are Redis's business
  EXPECT_EQ(names.rename("proxy", "admin"), "");
  EXPECT_FALSE(names.is_proxy("proxy"));
  EXPECT_TRUE(names.is_proxy("ADMIN"));
  EXPECT_EQ(names.rename("proxy", ""), "");
  EXPECT_FALSE(names.is_proxy(""));
  EXPECT_FALSE(names.is_proxy("admin"));
}

TEST(ProxyAccess, OnlyAFailoverChangesTheDeployment) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(access_needed(V{"proxy", "failover"}), ProxyAccess::kAuthorized);
  EXPECT_EQ(access_needed(V{"proxy", "failover", "10.0.0.1:6379"}), ProxyAccess::kAuthorized);
  EXPECT_EQ(access_needed(V{"proxy", "failover", "HISTORY"}), ProxyAccess::kAuthenticated);
  EXPECT_EQ(access_needed(V{"proxy", "info"}), ProxyAccess::kAuthenticated);
  EXPECT_EQ(access_needed(V{"proxy"}), ProxyAccess::kAuthenticated);
}

TEST(ProxyAccess, ReadsTheMastersAnswerToTheProbe) {
  using enum ProbeVerdict;
  const auto authorized = ProxyAccess::kAuthorized;
  const auto authenticated = ProxyAccess::kAuthenticated;
  EXPECT_EQ(judge_probe_reply("-NOAUTH Authentication required.\r\n", authorized),
            kNotAuthenticated);
  EXPECT_EQ(judge_probe_reply("-NOAUTH Authentication required.\r\n", authenticated),
            kNotAuthenticated);
  EXPECT_EQ(
      judge_probe_reply("-NOPERM this user has no permissions to run the 'failover' command\r\n",
                        authorized),
      kNotPermitted);
  EXPECT_EQ(judge_probe_reply("-ERR unknown command 'FAILOVER', with args beginning with: \r\n",
                              authorized),
            kNotPermitted);
  // The argument error comes after the ACL check: allowed.
  EXPECT_EQ(judge_probe_reply("-ERR value is not an integer or out of range\r\n", authorized),
            kAllowed);
  // A subscribed RESP2 client: the context error comes after the ACL check too.
  EXPECT_EQ(
      judge_probe_reply("-ERR Can't execute 'failover': only (P|S)SUBSCRIBE ...\r\n", authorized),
      kAllowed);
  EXPECT_EQ(judge_probe_reply("+PONG\r\n", authenticated), kAllowed);
  EXPECT_EQ(judge_probe_reply("-NOPERM no ping for you\r\n", authenticated), kAllowed);
}

TEST(ProxyAccess, RefusalsInRedisWords) {
  EXPECT_EQ(no_permission_reply("failover"),
            "-NOPERM this user has no permissions to run the 'proxy|failover' command\r\n");
  EXPECT_EQ(kNoAuthReply, "-NOAUTH Authentication required.\r\n");
}

}  // namespace
}  // namespace sp::proxy

// PROXY CONFIG's settings without a server: GET's patterns, SET's all-or-none and Redis's
// error texts, what SIGHUP finds changed in the file, and the rewrite that keeps the
// operator's lines.

#include "proxy/config/runtime_config.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "protocol/config_rewrite.h"
#include "proxy/config/config_loader.h"
#include "proxy/config/settings_registry.h"

namespace sp::proxy {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

std::string set(Config& config, std::vector<std::string_view> pairs, MaxClientsFit fit = {}) {
  return config_set(config, pairs, fit);
}

TEST(RuntimeConfig, GetMatchesGlobPatternsOnceEach) {
  Config config;
  config.maxclients = 77;
  const std::vector<std::string_view> patterns = {"max*", "MAXCLIENTS", "time?ut"};
  EXPECT_EQ(config_get(config, patterns), (Pairs{{"maxclients", "77"}, {"timeout", "0"}}));
  const std::vector<std::string_view> none = {"nosuch"};
  EXPECT_TRUE(config_get(config, none).empty());
  const std::vector<std::string_view> limit = {"client-output-*"};
  EXPECT_EQ(config_get(config, limit), (Pairs{{"client-output-buffer-limit", "normal 0 0 0"}}));
}

TEST(RuntimeConfig, SetIsAllOrNoneWithRedisErrors) {
  Config config;
  EXPECT_EQ(set(config, {"maxclients", "50", "timeout", "7"}), "");
  EXPECT_EQ(config.maxclients, 50u);
  EXPECT_EQ(config.timeout, std::chrono::seconds(7));
  EXPECT_EQ(set(config, {"timeout", "9", "port", "1"}),
            "ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable "
            "config");
  EXPECT_EQ(set(config, {"nosuch", "1"}),
            "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
  EXPECT_EQ(set(config, {"timeout", "1", "TIMEOUT", "2"}),
            "ERR CONFIG SET failed (possibly related to argument 'timeout') - duplicate parameter");
  // A value refused after another was accepted leaves both as they were.
  EXPECT_EQ(set(config, {"timeout", "9", "maxclients", "abc"}),
            "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument "
            "couldn't be parsed into an integer");
  EXPECT_EQ(set(config, {"timeout", "-5"}),
            "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be "
            "between 0 and 100000000 inclusive");
  EXPECT_EQ(set(config, {"protected-mode", "maybe"}),
            "ERR CONFIG SET failed (possibly related to argument 'protected-mode') - argument "
            "must be 'yes' or 'no'");
  EXPECT_EQ(set(config, {"loglevel", "loud"}),
            "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must "
            "be one of the following: debug, verbose, notice, warning, nothing");
  EXPECT_EQ(set(config, {"client-query-buffer-limit", "lots"}),
            "ERR CONFIG SET failed (possibly related to argument 'client-query-buffer-limit') - "
            "argument must be a memory value");
  EXPECT_EQ(set(config, {"client-output-buffer-limit", "normal 1 2"}),
            "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - "
            "Wrong number of arguments in buffer limit configuration.");
  // An unknown name is reported before an immutable one, whatever their order (as Redis).
  EXPECT_EQ(set(config, {"port", "1", "nosuch", "2"}),
            "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
  EXPECT_EQ(set(config, {"timeout", "1", "maxclients"}), "ERR syntax error");
  EXPECT_EQ(config.timeout, std::chrono::seconds(7));
  EXPECT_EQ(config.maxclients, 50u);
  EXPECT_EQ(set(config, {"timeout"}),
            "ERR wrong number of arguments for 'proxy|config|set' command");
  EXPECT_EQ(set(config, {"client-output-buffer-limit", "normal 1mb 512kb 30", "loglevel", "warning",
                         "fence-on-minority", "yes", "failover-hold-ms", "-1"}),
            "");
  EXPECT_EQ(config.client_output_buffer_limit.hard, 1024u * 1024);
  EXPECT_EQ(config.client_output_buffer_limit.soft, 512u * 1024);
  EXPECT_EQ(config.loglevel, LogLevel::kWarning);
  EXPECT_TRUE(config.fence_on_minority);
  EXPECT_EQ(config.failover_hold.count(), -1);
}

TEST(RuntimeConfig, WriteDurabilityIsLiveAndCheckedAsRedisChecksItsEnums) {
  Config config;
  EXPECT_FALSE(config.write_durability);
  EXPECT_EQ(config.write_durability_timeout.count(), 1500);
  EXPECT_EQ(set(config, {"write-durability", "replica", "write-durability-timeout", "250"}), "");
  EXPECT_TRUE(config.write_durability);
  EXPECT_EQ(config.write_durability_timeout.count(), 250);
  EXPECT_EQ(set(config, {"write-durability", "sync"}),
            "ERR CONFIG SET failed (possibly related to argument 'write-durability') - "
            "argument(s) must be one of the following: async, replica");
  EXPECT_EQ(set(config, {"write-durability-timeout", "0"}),
            "ERR CONFIG SET failed (possibly related to argument 'write-durability-timeout') - "
            "argument must be between 1 and 60000 inclusive");
  EXPECT_TRUE(config.write_durability);
  EXPECT_EQ(config.write_durability_replicas, 1u);
  EXPECT_EQ(set(config, {"write-durability-replicas", "2"}), "");
  EXPECT_EQ(config.write_durability_replicas, 2u);
  EXPECT_EQ(set(config, {"write-durability-replicas", "0"}),
            "ERR CONFIG SET failed (possibly related to argument 'write-durability-replicas') - "
            "argument must be between 1 and 1000 inclusive");
  EXPECT_EQ(set(config, {"write-durability", "async"}), "");
  EXPECT_FALSE(config.write_durability);
}

TEST(RuntimeConfig, MaxclientsBeyondTheOpenFilesLimitIsRefusedWithTheNumberThatFits) {
  Config config;
  const MaxClientsFit fit = [](std::uint32_t wanted) { return std::min(wanted, 1000u); };
  EXPECT_EQ(set(config, {"maxclients", "5000"}, fit),
            "ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating "
            "system is not able to handle the specified number of clients, try with 1000");
  EXPECT_EQ(config.maxclients, 10000u);
  EXPECT_EQ(set(config, {"maxclients", "900"}, fit), "");
}

TEST(RuntimeConfig, FailoverHoldUnsetIsTheGroupsFailoverTimeout) {
  Config config;
  config.group_failover_timeout = std::chrono::milliseconds(180000);
  EXPECT_EQ(config.hold().count(), 180000);
  EXPECT_EQ(set(config, {"failover-hold-ms", "2500"}), "");
  EXPECT_EQ(config.hold().count(), 2500);
  EXPECT_EQ(set(config, {"failover-hold-ms", "0"}), "");
  EXPECT_EQ(config.hold().count(), 0);
}

TEST(RuntimeConfig, FileChangesAreWhatTheFileChangedNotWhatSetChanged) {
  Config first;
  apply_config_text(first, "maxclients 100\nport 7000\n", "file");
  Config running = first;
  ASSERT_EQ(set(running, {"timeout", "30"}), "");  // at run time, not in the file
  Config second;
  apply_config_text(second, "maxclients 200\nport 7001\n", "file");
  const auto changes = file_changes(first, second);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].name, "maxclients");
  EXPECT_EQ(changes[0].after, "200");
  EXPECT_TRUE(changes[0].live);
  EXPECT_EQ(changes[1].name, "port");
  EXPECT_FALSE(changes[1].live);
  EXPECT_EQ(apply_file_changes(running, changes, {}), "");
  EXPECT_EQ(running.maxclients, 200u);
  EXPECT_EQ(running.port, 7000);                         // at the next start
  EXPECT_EQ(running.timeout, std::chrono::seconds(30));  // kept
}

TEST(RuntimeConfig, RewriteKeepsCommentsAndOtherLinesAndReadsBack) {
  const std::string old_text =
      "# the operator's words\n"
      "port 7000\n"
      "upstream 10.0.0.1 6379 mymaster\n"
      "maxclients 100\n"
      "# again\n"
      "maxclients 200\n"
      "timeout 5\n";
  Config running;
  apply_config_text(running, old_text, "file");
  ASSERT_EQ(set(running, {"maxclients", "300", "timeout", "0", "loglevel", "warning"}), "");
  const std::string text = render_proxy_config(protocol::split_config_text(old_text), running);
  EXPECT_EQ(text,
            "# the operator's words\n"
            "port 7000\n"
            "upstream 10.0.0.1 6379 mymaster\n"
            "maxclients 300\n"
            "# again\n"
            "\n"
            "timeout 0\n"
            "\n"
            "# Generated by CONFIG REWRITE\n"
            "loglevel warning\n");
  Config reread;
  apply_config_text(reread, text, "rewritten");
  EXPECT_EQ(reread.maxclients, 300u);
  EXPECT_EQ(reread.loglevel, LogLevel::kWarning);
  EXPECT_EQ(reread.upstream_host, "10.0.0.1");
}

TEST(SettingsRegistry, ARefusedChangePublishesNothing) {
  SettingsRegistry registry{Config{}};
  std::vector<std::uint32_t> seen;
  registry.subscribe([&](const ConfigPtr& c) { seen.push_back(c->maxclients); });
  EXPECT_EQ(registry.change([](Config& c) {
    c.maxclients = 5;
    return std::string("no");
  }),
            "no");
  EXPECT_EQ(registry.current()->maxclients, 10000u);
  EXPECT_EQ(registry.change([](Config& c) {
    c.maxclients = 6;
    return std::string();
  }),
            "");
  EXPECT_EQ(seen, (std::vector<std::uint32_t>{10000, 6}));
}

}  // namespace
}  // namespace sp::proxy

// Redis's tls-* directives as the loaders read them: each directive's value read back as
// CONFIG GET shows it, Redis's errors for a bad value of each kind, yes/no and the enum in
// any case, and names that are not TLS directives left to the caller.
#include <gtest/gtest.h>

#include "common/tls/tls_settings.h"

namespace sp::tls {
namespace {

TEST(TlsSettings, EveryDirectiveReadsBackWhatWasSet) {
  TlsSettings settings;
  for (std::string_view name : kTlsDirectives) {
    const auto before = tls_directive_value(settings, name);
    ASSERT_TRUE(before.has_value()) << name;
    // A value of the directive's kind: what it shows by default tells which.
    std::string value = "/etc/tls/x.pem";
    if (*before == "yes" || *before == "no") value = *before == "yes" ? "no" : "yes";
    if (name == "tls-session-cache-size" || name == "tls-session-cache-timeout") value = "77";
    if (name == "tls-auth-clients") value = "optional";
    const auto error = apply_tls_directive(settings, name, value);
    ASSERT_TRUE(error.has_value()) << name;
    EXPECT_EQ(*error, "") << name;
    EXPECT_EQ(tls_directive_value(settings, name), value) << name;
  }
}

TEST(TlsSettings, RedisDefaults) {
  const TlsSettings settings;
  EXPECT_EQ(settings.auth_clients, ClientAuth::kYes);
  EXPECT_TRUE(settings.session_caching);
  EXPECT_EQ(settings.session_cache_size, 20480u);
  EXPECT_EQ(settings.session_cache_timeout, 300u);
  EXPECT_FALSE(settings.replication);
  EXPECT_FALSE(settings.prefer_server_ciphers);
}

TEST(TlsSettings, RefusalsInRedisWords) {
  TlsSettings settings;
  EXPECT_EQ(apply_tls_directive(settings, "tls-auth-clients", "sometimes"),
            "argument(s) must be one of the following: no, yes, optional");
  EXPECT_EQ(apply_tls_directive(settings, "tls-replication", "1"),
            "argument must be 'yes' or 'no'");
  EXPECT_EQ(apply_tls_directive(settings, "tls-session-cache-size", "x"),
            "argument couldn't be parsed into an integer");
  EXPECT_EQ(apply_tls_directive(settings, "tls-session-cache-size", "-1"),
            "argument must be between 0 and 2147483647 inclusive");
  EXPECT_EQ(apply_tls_directive(settings, "tls-session-cache-timeout", "4294967296"),
            "argument must be between 0 and 2147483647 inclusive");
  EXPECT_EQ(settings, TlsSettings());  // nothing applied
  EXPECT_FALSE(apply_tls_directive(settings, "tls-port", "6380").has_value());
  EXPECT_FALSE(apply_tls_directive(settings, "port", "6380").has_value());
}

TEST(TlsSettings, YesNoAndEnumsInAnyCase) {
  TlsSettings settings;
  EXPECT_EQ(apply_tls_directive(settings, "tls-replication", "YES"), "");
  EXPECT_TRUE(settings.replication);
  EXPECT_EQ(apply_tls_directive(settings, "tls-auth-clients", "No"), "");
  EXPECT_EQ(settings.auth_clients, ClientAuth::kNo);
  // Paths keep their case.
  EXPECT_EQ(apply_tls_directive(settings, "tls-cert-file", "/Certs/A.PEM"), "");
  EXPECT_EQ(settings.cert_file, "/Certs/A.PEM");
}

}  // namespace
}  // namespace sp::tls

// The Redis-style config file and its `--name value` command-line twin: every directive's
// effect, and the exact "<source>:<line>: <reason>" of every refusal.

#include "proxy/config/config_loader.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace sp::proxy {
namespace {

// The message of the ConfigError that applying `text` throws, or "" if none.
std::string error_of(std::string_view text, std::string_view source = "test.conf") {
  Config config;
  try {
    apply_config_text(config, text, source);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

Config from_command_line(const std::vector<std::string>& args) {
  Config config;
  apply_config_text(config, command_line_to_text(args), "command line");
  return config;
}

TEST(ParseSize, UnitsAreRedisMemtoll) {
  EXPECT_EQ(parse_size("0"), 0u);
  EXPECT_EQ(parse_size("12345"), 12345u);
  EXPECT_EQ(parse_size("7b"), 7u);
  EXPECT_EQ(parse_size("1k"), 1000u);
  EXPECT_EQ(parse_size("1kb"), 1024u);
  EXPECT_EQ(parse_size("1m"), 1000u * 1000);
  EXPECT_EQ(parse_size("1mb"), 1024u * 1024);
  EXPECT_EQ(parse_size("3g"), 3ULL * 1000 * 1000 * 1000);
  EXPECT_EQ(parse_size("1gb"), 1024ULL * 1024 * 1024);
  EXPECT_EQ(parse_size("256MB"), 256ULL * 1024 * 1024);
  EXPECT_EQ(parse_size("2Gb"), 2ULL * 1024 * 1024 * 1024);
}

TEST(ParseSize, RejectsWhatIsNotASize) {
  for (const char* bad : {"", "mb", "-1", "+1", "1x", "1 mb", "1mbb", "1.5mb", " 1", "1tb"}) {
    EXPECT_FALSE(parse_size(bad).has_value()) << bad;
  }
  EXPECT_FALSE(parse_size("18446744073709551616").has_value());  // 2^64
  EXPECT_FALSE(parse_size("18446744073709551615kb").has_value());
  EXPECT_EQ(parse_size("18446744073709551615"), UINT64_MAX);
}

TEST(ConfigText, DefaultsAreTheDocumentedOnes) {
  const Config c;
  EXPECT_EQ(c.bind, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(c.port, 26380);
  EXPECT_EQ(c.upstream_port, 6379);
  EXPECT_EQ(c.group_name, "mymaster");
  EXPECT_EQ(c.metrics_port, 9380);
  EXPECT_EQ(c.proto_max_bulk_len, 512LL * 1024 * 1024);
  EXPECT_EQ(c.client_query_buffer_limit, 1024ULL * 1024 * 1024);
  EXPECT_EQ(c.loglevel, LogLevel::kNotice);
  EXPECT_EQ(c.tcp_keepalive, std::chrono::seconds(300));  // Redis's
  EXPECT_EQ(c.supervised, Supervised::kNo);
  EXPECT_EQ(c.backend_pool_size, 0u);  // a master connection per client
}

TEST(ConfigText, KeepaliveSupervisedAndDirTakeEffect) {
  Config c;
  apply_config_text(c, "tcp-keepalive 0\nsupervised auto\n", "test.conf");
  EXPECT_EQ(c.tcp_keepalive, std::chrono::seconds(0));
  EXPECT_EQ(c.supervised, Supervised::kAuto);
  apply_config_text(c, "daemonize yes\n", "test.conf");
  EXPECT_TRUE(c.daemonize);
  apply_config_text(c, "backend-pool-size 4\n", "test.conf");
  EXPECT_EQ(c.backend_pool_size, 4u);
  const auto start = std::filesystem::current_path();
  apply_config_text(c, "dir /tmp\n", "test.conf");
  EXPECT_EQ(std::filesystem::current_path(), std::filesystem::path("/tmp"));
  std::filesystem::current_path(start);
}

TEST(ConfigText, EveryDirectiveTakesEffect) {
  Config c;
  apply_config_text(c,
                    "# a comment\n"
                    "\n"
                    "   bind 127.0.0.1 ::1   \n"
                    "PORT 7000\r\n"
                    "upstream redis.local 6390 cache\n"
                    "io-threads 4\n"
                    "metrics-bind 0.0.0.0\n"
                    "metrics-port 0\n"
                    "maxclients 50\n"
                    "timeout 300\n"
                    "connect-timeout 150\n"
                    "client-query-buffer-limit 2mb\n"
                    "proto-max-bulk-len 1gb\n"
                    "client-output-buffer-limit normal 256mb 64mb 60\n"
                    "tcp-backlog 128\n"
                    "loglevel WARNING\n"
                    "logfile \"/tmp/with space.log\"\n"
                    "pidfile '/run/sp.pid'\n",
                    "full.conf");
  EXPECT_EQ(c.bind, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(c.port, 7000);
  EXPECT_EQ(c.upstream_host, "redis.local");
  EXPECT_EQ(c.upstream_port, 6390);
  EXPECT_EQ(c.group_name, "cache");
  EXPECT_EQ(c.io_threads, 4);
  EXPECT_EQ(c.metrics_bind, "0.0.0.0");
  EXPECT_EQ(c.metrics_port, 0);
  EXPECT_EQ(c.maxclients, 50u);
  EXPECT_EQ(c.timeout, std::chrono::seconds(300));
  EXPECT_EQ(c.connect_timeout, std::chrono::milliseconds(150));
  EXPECT_EQ(c.client_query_buffer_limit, 2ULL * 1024 * 1024);
  EXPECT_EQ(c.proto_max_bulk_len, 1024LL * 1024 * 1024);
  EXPECT_EQ(c.client_output_buffer_limit.hard, 256ULL * 1024 * 1024);
  EXPECT_EQ(c.client_output_buffer_limit.soft, 64ULL * 1024 * 1024);
  EXPECT_EQ(c.client_output_buffer_limit.soft_seconds, std::chrono::seconds(60));
  EXPECT_EQ(c.tcp_backlog, 128);
  EXPECT_EQ(c.loglevel, LogLevel::kWarning);
  EXPECT_EQ(c.logfile, "/tmp/with space.log");
  EXPECT_EQ(c.pidfile, "/run/sp.pid");
}

TEST(ConfigText, UpstreamWithoutGroupKeepsTheGroup) {
  Config c;
  apply_config_text(c, "upstream 10.0.0.1 6380", "x");
  EXPECT_EQ(c.upstream_host, "10.0.0.1");
  EXPECT_EQ(c.upstream_port, 6380);
  EXPECT_EQ(c.group_name, "mymaster");
}

TEST(ConfigText, OutputBufferLimitZeroDisables) {
  Config c;
  apply_config_text(c, "client-output-buffer-limit normal 0 0 0", "x");
  EXPECT_EQ(c.client_output_buffer_limit.hard, 0u);
  EXPECT_EQ(c.client_output_buffer_limit.soft, 0u);
  EXPECT_EQ(c.client_output_buffer_limit.soft_seconds, std::chrono::seconds(0));
  apply_config_text(c, "client-output-buffer-limit NORMAL 1kb 1k 5", "x");
  EXPECT_EQ(c.client_output_buffer_limit.hard, 1024u);
  EXPECT_EQ(c.client_output_buffer_limit.soft, 1000u);
  EXPECT_EQ(c.client_output_buffer_limit.soft_seconds, std::chrono::seconds(5));
}

TEST(ConfigText, RefusalsNameTheSourceLineAndReason) {
  EXPECT_EQ(error_of("port 7000\n# c\n\nfrobnicate 1\n"),
            "test.conf:4: unknown directive 'frobnicate' (>>> 'frobnicate 1')");
  EXPECT_EQ(error_of("frobnicate"),
            "test.conf:1: unknown directive 'frobnicate' (>>> 'frobnicate')");
  EXPECT_EQ(error_of("port -1"), "test.conf:1: invalid port '-1' (>>> 'port -1')");
  // port 0 is no port in the clear (a tls-port only, checked at start).
  EXPECT_EQ(error_of("port 0"), "");
  EXPECT_EQ(error_of("tls-port 70000"),
            "test.conf:1: invalid tls-port '70000' (>>> 'tls-port 70000')");
  EXPECT_EQ(error_of("tls-replication maybe"),
            "test.conf:1: argument must be 'yes' or 'no' (>>> 'tls-replication maybe')");
  EXPECT_EQ(error_of("tls-session-cache-size x"),
            "test.conf:1: argument couldn't be parsed into an integer (>>> "
            "'tls-session-cache-size x')");
  EXPECT_EQ(error_of("tls-cert-file"),
            "test.conf:1: wrong number of arguments for 'tls-cert-file' (>>> 'tls-cert-file')");
  EXPECT_EQ(error_of("port 65536"), "test.conf:1: invalid port '65536' (>>> 'port 65536')");
  EXPECT_EQ(error_of("port 12ab"), "test.conf:1: invalid port '12ab' (>>> 'port 12ab')");
  EXPECT_EQ(error_of("port"), "test.conf:1: wrong number of arguments for 'port' (>>> 'port')");
  EXPECT_EQ(error_of("\n\nport 1 2"),
            "test.conf:3: wrong number of arguments for 'port' (>>> 'port 1 2')");
  EXPECT_EQ(error_of("io-threads 0"),
            "test.conf:1: io-threads must be between 1 and 128 (>>> 'io-threads 0')");
  EXPECT_EQ(error_of("io-threads 129"),
            "test.conf:1: io-threads must be between 1 and 128 (>>> 'io-threads 129')");
  EXPECT_EQ(error_of("maxclients 0"), "test.conf:1: invalid maxclients '0' (>>> 'maxclients 0')");
  EXPECT_EQ(error_of("timeout -1"), "test.conf:1: invalid timeout '-1' (>>> 'timeout -1')");
  EXPECT_EQ(error_of("tcp-keepalive -1"),
            "test.conf:1: invalid tcp-keepalive '-1' (>>> 'tcp-keepalive -1')");
  EXPECT_EQ(error_of("supervised upstart"),
            "test.conf:1: invalid supervised 'upstart' (systemd, auto, no; upstart is not "
            "supported) (>>> 'supervised upstart')");
  EXPECT_EQ(error_of("dir /nonexistent/sp-test"),
            "test.conf:1: dir '/nonexistent/sp-test': No such file or directory "
            "(>>> 'dir /nonexistent/sp-test')");
  EXPECT_EQ(error_of("syslog-enabled maybe"),
            "test.conf:1: syslog-enabled must be yes or no (>>> 'syslog-enabled maybe')");
  EXPECT_EQ(error_of("syslog-facility local8"),
            "test.conf:1: syslog-facility must be one of the following: user, local0, local1, "
            "local2, local3, local4, local5, local6, local7 (>>> 'syslog-facility local8')");
  EXPECT_EQ(error_of("unixsocket /tmp/redis.sock"),
            "test.conf:1: 'unixsocket' is a redis-server directive proxy mode does not "
            "honour: clients connect over TCP only (port, bind) "
            "(>>> 'unixsocket /tmp/redis.sock')");
  EXPECT_EQ(error_of("save 900 1"),
            "test.conf:1: 'save' is a redis-server directive proxy mode does not honour: it "
            "is about the data Redis keeps, which the proxy does not hold (>>> 'save 900 1')");
  EXPECT_EQ(error_of("daemonize maybe"),
            "test.conf:1: daemonize must be yes or no (>>> 'daemonize maybe')");
  EXPECT_EQ(error_of("backend-pool-size 65"),
            "test.conf:1: invalid backend-pool-size '65' (0 to 64 connections per io thread) "
            "(>>> 'backend-pool-size 65')");
  EXPECT_EQ(error_of("connect-timeout 0"),
            "test.conf:1: invalid connect-timeout '0' (milliseconds, at least 1) "
            "(>>> 'connect-timeout 0')");
  EXPECT_EQ(error_of("client-query-buffer-limit 1000kb"),
            "test.conf:1: client-query-buffer-limit must be a size of at least 1mb "
            "(>>> 'client-query-buffer-limit 1000kb')");
  EXPECT_EQ(error_of("proto-max-bulk-len 100"),
            "test.conf:1: proto-max-bulk-len must be a size of at least 1mb "
            "(>>> 'proto-max-bulk-len 100')");
  EXPECT_EQ(error_of("proto-max-bulk-len lots"),
            "test.conf:1: proto-max-bulk-len must be a size of at least 1mb "
            "(>>> 'proto-max-bulk-len lots')");
  EXPECT_EQ(error_of("loglevel loud"),
            "test.conf:1: invalid loglevel 'loud' (debug, verbose, notice, warning, nothing) "
            "(>>> 'loglevel loud')");
  EXPECT_EQ(error_of("tcp-backlog 0"),
            "test.conf:1: invalid tcp-backlog '0' (>>> 'tcp-backlog 0')");
  EXPECT_EQ(error_of("bind"), "test.conf:1: wrong number of arguments for 'bind' (>>> 'bind')");
  EXPECT_EQ(error_of("upstream h"),
            "test.conf:1: wrong number of arguments for 'upstream' (>>> 'upstream h')");
  EXPECT_EQ(error_of("upstream h 0"),
            "test.conf:1: invalid upstream port '0' (>>> 'upstream h 0')");
  EXPECT_EQ(error_of("upstream \"\" 6379"),
            "test.conf:1: empty upstream host (>>> 'upstream \"\" 6379')");
  EXPECT_EQ(error_of("logfile \"unterminated"),
            "test.conf:1: unbalanced quotes (>>> 'logfile \"unterminated')");
}

TEST(ConfigText, OutputBufferLimitRefusals) {
  EXPECT_EQ(error_of("client-output-buffer-limit normal 1mb 1mb"),
            "test.conf:1: wrong number of arguments for 'client-output-buffer-limit' "
            "(>>> 'client-output-buffer-limit normal 1mb 1mb')");
  EXPECT_EQ(error_of("client-output-buffer-limit replica 256mb 64mb 60"),
            "test.conf:1: only the 'normal' class applies to a proxy's clients, got 'replica' "
            "(>>> 'client-output-buffer-limit replica 256mb 64mb 60')");
  EXPECT_EQ(error_of("client-output-buffer-limit normal 1xb 0 0"),
            "test.conf:1: invalid client-output-buffer-limit values "
            "(>>> 'client-output-buffer-limit normal 1xb 0 0')");
  EXPECT_EQ(error_of("client-output-buffer-limit normal 0 0 -5"),
            "test.conf:1: invalid client-output-buffer-limit values "
            "(>>> 'client-output-buffer-limit normal 0 0 -5')");
}

TEST(ConfigText, RefusedDirectiveLeavesTheConfigUnchanged) {
  // A known one-argument directive given with the wrong arity must not be half-applied.
  for (const char* name : {"logfile", "pidfile", "metrics-bind"}) {
    Config c;
    c.logfile = "keep.log";
    c.pidfile = "keep.pid";
    c.metrics_bind = "10.1.1.1";
    EXPECT_EQ(apply_directive(c, {name}),
              std::string("wrong number of arguments for '") + name + "'");
    EXPECT_EQ(apply_directive(c, {name, "a", "b"}),
              std::string("wrong number of arguments for '") + name + "'");
    EXPECT_EQ(c.logfile, "keep.log") << name;
    EXPECT_EQ(c.pidfile, "keep.pid") << name;
    EXPECT_EQ(c.metrics_bind, "10.1.1.1") << name;
  }
  Config c;
  EXPECT_EQ(apply_directive(c, {}), "empty directive");
}

TEST(ConfigFile, ReadsAFileAndNamesItInErrors) {
  char path[] = "/tmp/sp-config-test-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << "port 7001\nupstream 127.0.0.1 6400\n";
  Config c;
  apply_config_file(c, path);
  EXPECT_EQ(c.port, 7001);
  EXPECT_EQ(c.upstream_port, 6400);

  std::ofstream(path) << "port 7001\n\n# fine so far\nio-threads many\n";
  try {
    apply_config_file(c, path);
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), std::string(path) +
                                         ":4: io-threads must be between 1 and 128 "
                                         "(>>> 'io-threads many')");
  }
  std::remove(path);
  try {
    apply_config_file(c, path);
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), std::string(path) + ": cannot open the config file");
  }
}

TEST(CommandLine, FlagsBecomeDirectiveLines) {
  EXPECT_EQ(command_line_to_text({"--port", "7000", "--upstream", "h", "6380"}),
            "port \"7000\"\nupstream \"h\" \"6380\"");
  const Config c = from_command_line({"--port", "7000", "--upstream", "127.0.0.1", "6380", "g1",
                                      "--client-output-buffer-limit", "normal", "1mb", "512kb",
                                      "10", "--bind", "127.0.0.1", "::1"});
  EXPECT_EQ(c.port, 7000);
  EXPECT_EQ(c.upstream_port, 6380);
  EXPECT_EQ(c.group_name, "g1");
  EXPECT_EQ(c.client_output_buffer_limit.hard, 1024u * 1024);
  EXPECT_EQ(c.client_output_buffer_limit.soft, 512u * 1024);
  EXPECT_EQ(c.bind, (std::vector<std::string>{"127.0.0.1", "::1"}));
}

TEST(CommandLine, ValuesSurviveQuotingExactly) {
  for (const std::string& value :
       {std::string("/tmp/a b\"c\\d'e.log"), std::string("line\nbreak"), std::string("cr\rx"),
        std::string("tab\there"), std::string("\x01\x7f\xff"), std::string("#not a comment")}) {
    const Config c = from_command_line({"--logfile", value});
    EXPECT_EQ(c.logfile, value);
  }
}

TEST(CommandLine, ErrorsNameTheCommandLine) {
  EXPECT_EQ(error_of(command_line_to_text({"--port", "7000", "--bogus", "1"}), "command line"),
            "command line:2: unknown directive 'bogus' (>>> 'bogus \"1\"')");
  EXPECT_EQ(error_of(command_line_to_text({"--port"}), "command line"),
            "command line:1: wrong number of arguments for 'port' (>>> 'port')");
  EXPECT_EQ(error_of(command_line_to_text({"--port", "7000", "7001"}), "command line"),
            "command line:1: wrong number of arguments for 'port' (>>> 'port \"7000\" \"7001\"')");
}

TEST(SentinelFollow, NamesTheGroupAndTheSentinelsInOrder) {
  Config c;
  apply_config_text(c,
                    "sentinel-follow mymaster 10.0.0.1:26379 sentinel-b:26380 [::1]:26381\n"
                    "sentinel-follow-user proxy\nsentinel-follow-pass secret\n",
                    "test.conf");
  EXPECT_EQ(c.follow_name, "mymaster");
  EXPECT_EQ(c.group_name, "mymaster");
  EXPECT_EQ(c.follow_sentinels,
            (std::vector<std::string>{"10.0.0.1:26379", "sentinel-b:26380", "[::1]:26381"}));
  EXPECT_EQ(c.follow_user, "proxy");
  EXPECT_EQ(c.follow_pass, "secret");
  const Config line = from_command_line(
      {"--sentinel-follow", "mymaster", "127.0.0.1:5000", "127.0.0.1:5001", "--port", "7000"});
  EXPECT_EQ(line.follow_sentinels, (std::vector<std::string>{"127.0.0.1:5000", "127.0.0.1:5001"}));
  EXPECT_EQ(line.port, 7000);
}

TEST(SentinelFollow, RefusesBadAddressesAndMissingArguments) {
  EXPECT_EQ(error_of("sentinel-follow mymaster"),
            "test.conf:1: wrong number of arguments for 'sentinel-follow' (>>> 'sentinel-follow "
            "mymaster')");
  EXPECT_EQ(error_of("sentinel-follow mymaster 127.0.0.1"),
            "test.conf:1: invalid sentinel address '127.0.0.1' (host:port) (>>> 'sentinel-follow "
            "mymaster 127.0.0.1')");
  EXPECT_NE(error_of("sentinel-follow mymaster h:0").find("invalid sentinel address 'h:0'"),
            std::string::npos);
  EXPECT_NE(error_of("sentinel-follow mymaster :26379").find("invalid sentinel address"),
            std::string::npos);
}

TEST(SentinelFollow, ExcludesUpstreamAndSentinelLinesInEitherOrder) {
  const std::string upstream =
      "'sentinel-follow' and 'upstream' exclude each other: the followed sentinels name the "
      "master";
  const std::string sentinel =
      "'sentinel-follow' and 'sentinel ...' lines (such as 'sentinel monitor') exclude each "
      "other: follow mode asks existing sentinels and runs none of its own";
  EXPECT_NE(error_of("upstream 127.0.0.1 6379\nsentinel-follow m 127.0.0.1:26379").find(upstream),
            std::string::npos);
  EXPECT_NE(error_of("sentinel-follow m 127.0.0.1:26379\nupstream 127.0.0.1 6379").find(upstream),
            std::string::npos);
  EXPECT_NE(error_of("sentinel monitor m 127.0.0.1 6379 2\nsentinel-follow m 127.0.0.1:26379")
                .find(sentinel),
            std::string::npos);
  EXPECT_NE(error_of("sentinel-follow m 127.0.0.1:26379\nsentinel monitor m 127.0.0.1 6379 2")
                .find("test.conf:2: " + sentinel),
            std::string::npos);
  EXPECT_EQ(error_of("user alice on >pw\nsentinel-follow m 127.0.0.1:26379"), "");
}

TEST(ConfigText, SecurityDirectives) {
  EXPECT_TRUE(Config().protected_mode);  // Redis's default
  Config c;
  apply_config_text(c,
                    "protected-mode no\n"
                    "rename-command PROXY|FAILOVER \"\"\n"
                    "rename-command proxy|info stats\n",
                    "security.conf");
  EXPECT_FALSE(c.protected_mode);
  EXPECT_EQ(c.proxy_commands.canonical_subcommand("failover"), "");
  EXPECT_EQ(c.proxy_commands.canonical_subcommand("stats"), "info");
  EXPECT_EQ(error_of("protected-mode maybe\n"),
            "test.conf:1: protected-mode must be yes or no (>>> 'protected-mode maybe')");
  EXPECT_NE(error_of("rename-command CONFIG x\n"), "");
  EXPECT_NE(error_of("rename-command proxy|nothing x\n"), "");
  EXPECT_NE(error_of("rename-command proxy\n"), "");
}

TEST(ConfigFile, ADirectoryIsNoConfigFile) {
  Config c;
  try {
    apply_config_file(c, "/");
    FAIL() << "a directory loaded as a config file";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "/: cannot read the config file: Is a directory");
  }
}

}  // namespace
}  // namespace sp::proxy

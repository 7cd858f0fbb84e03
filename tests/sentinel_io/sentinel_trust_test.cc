// Issue 13 on the sentinel port, against real processes: a config file that cannot be
// written does not end the sentinel (it serves on, counts the failure, and saves at the
// next change once the fault is gone); a stranger cannot make it buffer a large request
// before AUTH; `maxclients` refuses the next client with Redis's text. Where Redis's
// behaviour is observable, a real redis-sentinel gets the same bytes.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/sentinel_io/sentinel_group.h"
#include "tests/support/processes.h"
#include "tests/support/redis_process.h"

namespace sp::testing {
namespace {

std::string sentinel_info(int port, const std::string& field) {
  return info_field(call(port, {"INFO", "sentinel"}), field);
}

// A 50 MB bulk before AUTH: refused at its length line, the connection closed, and the
// process does not grow by the bulk. Returns what the client read.
TEST(SentinelTrust, AFailedSaveIsCountedAndRetriedNotFatal) {
  TempDir dir;
  const int port = free_loopback_port();
  const std::string conf = dir.path + "/sentinel.conf";
  write_sentinel_conf(conf, port, free_loopback_port());
  auto sentinel = start_sentinel_proxy(conf, port);
  ASSERT_EQ(call(port, {"SENTINEL", "SET", "mymaster", "down-after-milliseconds", "4000"}),
            "+OK\r\n");
  ASSERT_NE(read_file(conf).find("down-after-milliseconds mymaster 4000"), std::string::npos);
  EXPECT_EQ(sentinel_info(port, "sentinel_config_save_failures"), "0");

  // The fault, in a form that stops root too: the temp file the rewrite creates beside the
  // config file is a directory, so its open() fails with EISDIR.
  const std::string temp = conf + ".tmp-" + std::to_string(sentinel->pid());
  ASSERT_TRUE(std::filesystem::create_directory(temp));
  EXPECT_EQ(call(port, {"SENTINEL", "SET", "mymaster", "down-after-milliseconds", "5000"}),
            "+OK\r\n");
  EXPECT_EQ(call(port, {"SENTINEL", "FLUSHCONFIG"}), "+OK\r\n");
  EXPECT_TRUE(sentinel->running());
  EXPECT_EQ(call(port, {"PING"}), "+PONG\r\n");
  EXPECT_EQ(sentinel_info(port, "sentinel_config_save_failures"), "2");
  EXPECT_NE(read_file(conf).find("down-after-milliseconds mymaster 4000"), std::string::npos);
  EXPECT_TRUE(wait_until(
      [&] {
        return read_file(conf + ".log").find("not able to save the new configuration") !=
               std::string::npos;
      },
      10s));

  // The fault gone, the next change is saved, the state the failed saves missed with it.
  std::filesystem::remove(temp);
  EXPECT_EQ(call(port, {"SENTINEL", "SET", "mymaster", "parallel-syncs", "3"}), "+OK\r\n");
  const std::string text = read_file(conf);
  EXPECT_NE(text.find("down-after-milliseconds mymaster 5000"), std::string::npos) << text;
  EXPECT_NE(text.find("parallel-syncs mymaster 3"), std::string::npos) << text;
  EXPECT_EQ(sentinel_info(port, "sentinel_config_save_failures"), "2");
  EXPECT_TRUE(sentinel->running());
}

// A sentinel-proxy and a redis-sentinel in drop-in mode, each with a file of its own that
// monitors the same (absent) master and ends with `extra_config`.
struct SideBySide {
  TempDir dir;
  int ours_port = free_loopback_port();
  int real_port = free_loopback_port();
  std::unique_ptr<ChildProcess> ours;
  std::unique_ptr<ChildProcess> real;

  explicit SideBySide(const std::string& extra_config) {
    const int master_port = free_loopback_port();
    const std::string ours_conf = dir.path + "/ours.conf";
    const std::string real_conf = dir.path + "/real.conf";
    write_sentinel_conf(ours_conf, ours_port, master_port);
    write_sentinel_conf(real_conf, real_port, master_port);
    std::ofstream(ours_conf, std::ios::app) << extra_config << "\n";
    std::ofstream(real_conf, std::ios::app) << extra_config << "\n";
    ours = start_sentinel_proxy(ours_conf, ours_port);
    real = start_redis_sentinel(real_conf, real_port);
  }
};

TEST(SentinelTrust, NoLargeRequestBeforeAuthentication) {
  const SideBySide pair("requirepass secret");
  const int ours_port = pair.ours_port;
  const int real_port = pair.real_port;
  auto& ours = pair.ours;

  const long before = resident_bytes(ours->pid());
  const std::string refused = send_large_bulk(ours_port);
  EXPECT_EQ(refused, "-ERR Protocol error: unauthenticated bulk length\r\n");
  EXPECT_EQ(refused, send_large_bulk(real_port));
  const long after = resident_bytes(ours->pid());
  EXPECT_LT(after - before, 8L * 1024 * 1024) << before << " -> " << after;

  // Eleven arguments before AUTH, as Redis refuses them.
  for (int port : {ours_port, real_port}) {
    TestConnection many(port);
    many.send("*11\r\n");
    EXPECT_EQ(many.read_until_closed(10s),
              "-ERR Protocol error: unauthenticated multibulk length\r\n")
        << port;
  }
  // An AUTH pipelined ahead lifts the limits for what follows it.
  for (int port : {ours_port, real_port}) {
    TestConnection pipelined(port);
    FrameReader reader(pipelined);
    pipelined.send(resp({"AUTH", "secret"}) + resp({"PING", std::string(100000, 'p')}));
    const auto replies = reader.frames(2);
    ASSERT_TRUE(replies) << port;
    EXPECT_EQ(replies->substr(0, 13), "+OK\r\n$100000\r") << port;
  }
  EXPECT_TRUE(ours->running());
}

TEST(SentinelTrust, MaxclientsRefusesTheNextClientWithRedisText) {
  const SideBySide pair("maxclients 2");
  const int ours_port = pair.ours_port;
  const int real_port = pair.real_port;

  for (int port : {ours_port, real_port}) {
    // The start-up probes' connections are gone once two clients can stay connected.
    std::vector<std::unique_ptr<TestConnection>> held;
    ASSERT_TRUE(wait_until(
        [&] {
          held.clear();
          for (int i = 0; i < 2; ++i) {
            held.push_back(std::make_unique<TestConnection>(port));
            FrameReader reader(*held.back());
            held.back()->send(resp({"PING"}));
            if (reader.frames(1, 2s).value_or("") != "+PONG\r\n") return false;
          }
          return true;
        },
        10s))
        << port;
    TestConnection third(port);
    EXPECT_EQ(third.read_until_closed(10s), "-ERR max number of clients reached\r\n") << port;
    held.clear();
    ASSERT_TRUE(wait_until([&] { return call(port, {"PING"}, 1s) == "+PONG\r\n"; }, 10s));
    const std::string stats = call(port, {"INFO", "stats"});
    EXPECT_NE(info_field(stats, "rejected_connections"), "0") << port;
  }
  EXPECT_EQ(info_field(call(ours_port, {"INFO", "clients"}), "maxclients"), "2");
}

// A second group monitored at run time in proxy mode, the file naming no `proxy-group`:
// the rewrite pins the group served so far, so the file still starts the proxy.
TEST(SentinelTrust, ASecondMonitorInProxyModeLeavesAFileThatStarts) {
  TempDir dir;
  RedisProcess master;
  RedisProcess other;
  const int sentinel_port = free_loopback_port();
  const int client_port = free_loopback_port();
  const std::string conf = dir.path + "/proxy.conf";
  std::ofstream(conf) << "port " << client_port << "\nsentinel-port " << sentinel_port
                      << "\nmetrics-port 0\nsentinel monitor mymaster 127.0.0.1 " << master.port()
                      << " 1\n";
  auto proxy = start_proxy_with_sentinel(conf, sentinel_port, client_port);
  EXPECT_EQ(call(sentinel_port,
                 {"SENTINEL", "MONITOR", "other", "127.0.0.1", std::to_string(other.port()), "1"}),
            "+OK\r\n");
  EXPECT_NE(read_file(conf).find("\nproxy-group mymaster\n"), std::string::npos) << read_file(conf);
  proxy->kill();
  proxy = start_proxy_with_sentinel(conf, sentinel_port, client_port);
  EXPECT_TRUE(proxy->running());
  EXPECT_NE(call(sentinel_port, {"SENTINEL", "MASTER", "other"}).find("other"), std::string::npos);
}

// Hostile values meant to add a line to the config file (`logfile` here), through a hello,
// ACL SETUSER and SENTINEL SET on a running sentinel: refused where Redis refuses them,
// written quoted where it takes them, and the file loads again to the same values.
TEST(SentinelTrust, NoValueAddsALineToTheConfigFile) {
  TempDir dir;
  RedisProcess master;
  const int port = free_loopback_port();
  const std::string conf = dir.path + "/sentinel.conf";
  write_sentinel_conf(conf, port, master.port());
  auto sentinel = start_sentinel_proxy(conf, port);
  const std::string injected = "\nlogfile " + dir.path + "/injected.log\n";
  const std::string address = "127.0.0.1," + std::to_string(master.port());
  // A hello whose id carries the line: not 40 hex characters, so it is dropped.
  call(port, {"PUBLISH", "__sentinel__:hello",
              "127.0.0.1,26999,ab" + injected + ",1,mymaster," + address + ",0"});
  EXPECT_EQ(call(port, {"ACL", "SETUSER", "a" + injected, "on"}),
            "-ERR Usernames can't contain spaces or null characters\r\n");
  EXPECT_EQ(call(port, {"SENTINEL", "SET", "mymaster", "auth-pass", "pw" + injected}), "+OK\r\n");
  EXPECT_EQ(call(port, {"SENTINEL", "FLUSHCONFIG"}), "+OK\r\n");
  const std::string text = read_file(conf);
  EXPECT_EQ(text.find("\nlogfile "), std::string::npos) << text;
  EXPECT_NE(text.find("auth-pass mymaster \"pw\\nlogfile "), std::string::npos) << text;

  sentinel->kill();
  sentinel = start_sentinel_proxy(conf, port);
  EXPECT_TRUE(sentinel->running());
  EXPECT_EQ(call(port, {"SENTINEL", "FLUSHCONFIG"}), "+OK\r\n");
  // Loaded to the same password. (Not the same file to the byte: like redis-sentinel's, the
  // reloaded default user gains `sanitize-payload` at the second rewrite.)
  const auto auth_pass_line = [](const std::string& file) {
    const auto at = file.find("sentinel auth-pass");
    return at == std::string::npos ? std::string() : file.substr(at, file.find('\n', at) - at);
  };
  EXPECT_EQ(auth_pass_line(read_file(conf)), auth_pass_line(text));
  EXPECT_EQ(read_file(conf).find("\nlogfile "), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.path + "/injected.log"));
}

// SENTINEL DEBUG takes what redis-sentinel takes: up to 2^63-1, nothing above.
TEST(SentinelTrust, SentinelDebugRangeAsRedis) {
  TempDir dir;
  const int ours_port = free_loopback_port();
  const int real_port = free_loopback_port();
  const int master_port = free_loopback_port();
  const std::string ours_conf = dir.path + "/ours.conf";
  const std::string real_conf = dir.path + "/real.conf";
  write_sentinel_conf(ours_conf, ours_port, master_port);
  write_sentinel_conf(real_conf, real_port, master_port);
  auto ours = start_sentinel_proxy(ours_conf, ours_port);
  auto real = start_redis_sentinel(real_conf, real_port);
  expect_same_replies(real_port, ours_port,
                      {resp({"SENTINEL", "DEBUG", "ping-period", "18446744073709551615"}),
                       resp({"SENTINEL", "DEBUG", "ping-period", "9223372036854775808"}),
                       resp({"SENTINEL", "DEBUG", "info-period", "9223372036854775807"}),
                       resp({"SENTINEL", "DEBUG", "info-period", "0"})});
  const std::string ours_debug = call(ours_port, {"SENTINEL", "DEBUG"});
  EXPECT_NE(ours_debug.find("9223372036854775807"), std::string::npos) << ours_debug;
  EXPECT_EQ(call(ours_port, {"PING"}), "+PONG\r\n");
}

}  // namespace
}  // namespace sp::testing

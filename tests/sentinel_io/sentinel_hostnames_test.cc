// resolve-hostnames / announce-hostnames with real processes: a group monitored as
// `localhost <port>` by three sentinel-proxy processes (replicas announcing themselves as
// localhost too), and the refusals of a sentinel without resolve-hostnames, compared byte
// for byte with a real redis-sentinel.
#include <signal.h>

#include <gtest/gtest.h>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/sentinel_io/redis_group.h"
#include "tests/sentinel_io/sentinel_group.h"
#include "tests/support/redis_process.h"

namespace sp::testing {
namespace {

// A master with two replicas, all known by the name `localhost`, and three sentinels
// started with resolve-hostnames and announce-hostnames: plain sentinels (`real[i]`: a
// redis-sentinel; `announce_ip`: every sentinel announces itself under that name), or
// with `proxy_mode` proxies with the sentinel inside (client ports in `client_ports`).
struct NamedGroup {
  TempDir dir;
  int master_port = free_loopback_port();
  std::vector<int> replica_ports = {free_loopback_port(), free_loopback_port()};
  std::vector<int> sentinel_ports = {free_loopback_port(), free_loopback_port(),
                                     free_loopback_port()};
  std::unique_ptr<ChildProcess> master;
  std::vector<std::unique_ptr<ChildProcess>> replicas;
  std::vector<std::unique_ptr<ChildProcess>> sentinels;
  std::vector<int> client_ports;

  explicit NamedGroup(bool proxy_mode = false, std::vector<bool> real = {false, false, false},
                      const std::string& announce_ip = "") {
    master = start_named_redis(master_port);
    for (int port : replica_ports) {
      replicas.push_back(
          start_named_redis(port, {"--replicaof", "localhost", std::to_string(master_port)}));
    }
    for (std::size_t i = 0; i < sentinel_ports.size(); ++i) {
      const int port = sentinel_ports[i];
      const int listen_port = proxy_mode ? free_loopback_port() : port;
      std::ofstream(conf(port)) << "port " << listen_port << "\n"
                                << "sentinel resolve-hostnames yes\n"
                                << "sentinel announce-hostnames yes\n"
                                << "sentinel monitor mymaster localhost " << master_port << " 2\n"
                                << "sentinel down-after-milliseconds mymaster 1000\n"
                                << "sentinel failover-timeout mymaster 10000\n";
      if (!announce_ip.empty()) {
        std::ofstream(conf(port), std::ios::app) << "sentinel announce-ip " << announce_ip << "\n";
      }
      if (proxy_mode) {
        std::ofstream(conf(port), std::ios::app)
            << "sentinel-port " << port << "\nmetrics-port 0\n";
        sentinels.push_back(start_proxy_with_sentinel(conf(port), port, listen_port));
        client_ports.push_back(listen_port);
      } else {
        sentinels.push_back(real[i] ? start_redis_sentinel(conf(port), port)
                                    : start_sentinel_proxy(conf(port), port));
      }
    }
  }
  ~NamedGroup() {
    sentinels.clear();
    replicas.clear();
    master.reset();
  }

  // A replica announces `localhost` to its master, so INFO lists it by name.
  std::unique_ptr<ChildProcess> start_named_redis(int port, std::vector<std::string> extra = {}) {
    extra.insert(extra.end(), {"--replica-announce-ip", "localhost"});
    return start_redis_on(port, dir.path, extra);
  }

  std::string conf(int port) const {
    return dir.path + "/sentinel-" + std::to_string(port) + ".conf";
  }

  bool all_discovered() const { return group_discovered(replica_ports, sentinel_ports); }
  std::string master_addr(int sentinel_port) const { return sentinel_master_addr(sentinel_port); }
  // Waits until every sentinel names the same master, by name, other than `old_master`;
  // returns it ("" when they did not agree within 30 s).
  std::string agreed_new_master(const std::string& old_master) const {
    std::string agreed;
    const bool done = wait_until(
        [&] {
          agreed = master_addr(sentinel_ports[0]);
          for (int port : sentinel_ports) {
            if (master_addr(port) != agreed) return false;
          }
          return agreed != old_master && agreed.starts_with("localhost:");
        },
        30s);
    return done ? agreed : "";
  }
  // The replica `new_master` ("localhost:<port>") is not.
  int other_replica(const std::string& new_master) const {
    const int port = std::stoi(new_master.substr(new_master.find(':') + 1));
    return port == replica_ports[0] ? replica_ports[1] : replica_ports[0];
  }
  std::string role_of(int port) const { return sp::testing::role_of(port); }
};

TEST(SentinelHostnames, ThreeSentinelProxiesAnnounceAndFailOverByHostname) {
  NamedGroup g;
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s))
      << "the three sentinels did not discover each other and both replicas";
  const std::string old_master = "localhost:" + std::to_string(g.master_port);
  for (int port : g.sentinel_ports) {
    EXPECT_EQ(g.master_addr(port), old_master);
    auto m = call_value(port, {"SENTINEL", "MASTER", "mymaster"});
    ASSERT_TRUE(m);
    EXPECT_EQ(field(*m, "ip"), "localhost");
    auto replicas = call_value(port, {"SENTINEL", "REPLICAS", "mymaster"});
    ASSERT_TRUE(replicas && replicas->elements.size() == 2);
    for (const auto& r : replicas->elements) {
      EXPECT_EQ(field(r, "ip"), "localhost");
      EXPECT_EQ(field(r, "name"), "localhost:" + field(r, "port"));
    }
  }

  TestConnection sub(g.sentinel_ports[0]);
  sub.send("SUBSCRIBE +switch-master\r\n");
  ASSERT_NE(sub.read_until_suffix(":1\r\n", 2s).find("+switch-master"), std::string::npos);
  g.master->kill();
  const std::string message = sub.read_until_suffix("\r\n", 30s);
  ASSERT_NE(message.find("mymaster localhost " + std::to_string(g.master_port) + " localhost "),
            std::string::npos)
      << "no +switch-master by name within 30 s: '" << message << "'";

  const std::string new_master = g.agreed_new_master(old_master);
  ASSERT_FALSE(new_master.empty()) << "no agreed new master by name within 30 s";
  const int other = g.other_replica(new_master);
  // The SLAVEOF target is the hostname.
  EXPECT_TRUE(wait_until([&] { return g.role_of(other) == "slave of " + new_master; }, 20s))
      << g.role_of(other);
  const std::string monitor_line =
      "sentinel monitor mymaster localhost " + new_master.substr(new_master.find(':') + 1) + " 2";
  for (int port : g.sentinel_ports) {
    EXPECT_TRUE(wait_until(
        [&] { return read_file(g.conf(port)).find(monitor_line) != std::string::npos; }, 10s))
        << read_file(g.conf(port));
  }

  // The old master comes back and is pointed at the new one, by name.
  g.master = g.start_named_redis(g.master_port);
  EXPECT_TRUE(wait_until([&] { return g.role_of(g.master_port) == "slave of " + new_master; }, 30s))
      << g.role_of(g.master_port);
}

// Proxy mode: the proxies route to the master the sentinel inside knows by name, and
// follow it through a failover.
TEST(SentinelHostnames, ProxiesWithTheSentinelInsideFollowAMasterKnownByName) {
  NamedGroup g(/*proxy_mode=*/true);
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s));
  for (int client_port : g.client_ports) {
    auto t = call_value(client_port, {"PROXY", "TOPOLOGY"});
    ASSERT_TRUE(t);
    EXPECT_EQ(field(*t, "master-host"), "localhost");
    EXPECT_EQ(field(*t, "master-port"), std::to_string(g.master_port));
  }
  auto set = call_value(g.client_ports[0], {"SET", "before-failover", "1"});
  ASSERT_TRUE(set && set->text == "OK");

  g.master->kill();
  std::string new_master;
  ASSERT_TRUE(wait_until(
      [&] {
        new_master = g.master_addr(g.sentinel_ports[0]);
        return !new_master.empty() && new_master != "localhost:" + std::to_string(g.master_port);
      },
      30s));
  const std::string new_port = new_master.substr(new_master.find(':') + 1);
  for (int client_port : g.client_ports) {
    EXPECT_TRUE(wait_until(
        [&] {
          auto t = call_value(client_port, {"PROXY", "TOPOLOGY"});
          return t && field(*t, "master-port") == new_port &&
                 field(*t, "master-host") == "localhost";
        },
        20s))
        << "proxy on " << client_port << " does not route to " << new_master;
    auto write = call_value(client_port, {"SET", "after-failover", "1"});
    ASSERT_TRUE(write.has_value());
    EXPECT_EQ(write->text, "OK") << "a write through the proxy failed after the switch";
  }
  auto stored = call_value(std::stoi(new_port), {"GET", "after-failover"});
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->text, "1");
}

// Two redis-sentinel and one sentinel-proxy, all announcing themselves as `localhost`:
// they learn each other from hellos naming a host, agree on votes asked by hostname, and
// converge on the same new master.
TEST(SentinelHostnames, AMixedGroupAnnouncingHostnamesFailsOver) {
  NamedGroup g(/*proxy_mode=*/false, {true, true, false}, "localhost");
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s))
      << "real and sentinel-proxy sentinels did not discover each other by name";
  auto peers = call_value(g.sentinel_ports[2], {"SENTINEL", "SENTINELS", "mymaster"});
  ASSERT_TRUE(peers && peers->elements.size() == 2);
  for (const auto& peer : peers->elements) EXPECT_EQ(field(peer, "ip"), "localhost");

  g.master->kill();
  const std::string old_master = "localhost:" + std::to_string(g.master_port);
  const std::string new_master = g.agreed_new_master(old_master);
  ASSERT_FALSE(new_master.empty()) << "no agreed new master by name within 30 s";
  const int other = g.other_replica(new_master);
  EXPECT_TRUE(wait_until([&] { return g.role_of(other) == "slave of " + new_master; }, 20s))
      << g.role_of(other);
}

// One sentinel-proxy and one redis-sentinel, both without resolve-hostnames, asked the same
// things: their replies must be the same bytes.
TEST(SentinelHostnames, HostnameOptionsAnswerAsRedisSentinelDoes) {
  TempDir dir;
  const int master_port = free_loopback_port();
  auto redis = start_redis_on(master_port, dir.path);
  const int ours = free_loopback_port();
  const int theirs = free_loopback_port();
  write_sentinel_conf(dir.path + "/ours.conf", ours, master_port);
  write_sentinel_conf(dir.path + "/theirs.conf", theirs, master_port);
  auto proxy = start_sentinel_proxy(dir.path + "/ours.conf", ours);
  auto sentinel = start_redis_sentinel(dir.path + "/theirs.conf", theirs);

  auto same = [&](const std::vector<std::string>& args) {
    const std::string expected = call(theirs, args);
    EXPECT_FALSE(expected.empty());
    EXPECT_EQ(call(ours, args), expected) << args[1] << " " << args[2];
    return expected;
  };
  const std::string port = std::to_string(master_port);
  EXPECT_EQ(same({"SENTINEL", "MONITOR", "named", "localhost", port, "2"}),
            "-ERR Invalid IP address or hostname specified\r\n");
  same({"SENTINEL", "CONFIG", "SET", "resolve-hostnames", "yes"});
  EXPECT_EQ(same({"SENTINEL", "MONITOR", "gone", "no-such-host.invalid", port, "2"}),
            "-ERR Invalid IP address or hostname specified\r\n");
  EXPECT_EQ(same({"SENTINEL", "MONITOR", "named", "localhost", port, "2"}), "+OK\r\n");
  EXPECT_EQ(same({"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "named"}),
            "*2\r\n$9\r\n127.0.0.1\r\n$" + std::to_string(port.size()) + "\r\n" + port + "\r\n");
  same({"SENTINEL", "CONFIG", "SET", "announce-hostnames", "yes"});
  EXPECT_EQ(same({"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "named"}),
            "*2\r\n$9\r\nlocalhost\r\n$" + std::to_string(port.size()) + "\r\n" + port + "\r\n");
  for (int p : {ours, theirs}) {
    auto m = call_value(p, {"SENTINEL", "MASTER", "named"});
    ASSERT_TRUE(m);
    EXPECT_EQ(field(*m, "ip"), "localhost") << p;
  }
  same({"SENTINEL", "CONFIG", "GET", "*-hostnames"});
  // The +monitor event names the master as announced.
  std::vector<std::string> events;
  for (int p : {ours, theirs}) {
    TestConnection sub(p);
    sub.send("SUBSCRIBE +monitor\r\n");
    ASSERT_NE(sub.read_until_suffix(":1\r\n", 2s).find("+monitor"), std::string::npos);
    EXPECT_EQ(call(p, {"SENTINEL", "MONITOR", "again", "localhost", port, "2"}), "+OK\r\n");
    events.push_back(sub.read_until_suffix("quorum 2\r\n", 2s));
  }
  EXPECT_EQ(events[0], events[1]);
  EXPECT_NE(events[0].find("master again localhost " + port + " quorum 2"), std::string::npos)
      << events[0];
  // Both rewrote their files with the hostname.
  for (const char* name : {"/ours.conf", "/theirs.conf"}) {
    EXPECT_NE(read_file(dir.path + name).find("sentinel monitor named localhost " + port + " 2"),
              std::string::npos)
        << name;
  }
}

// A file naming a host without resolve-hostnames is refused at start, with Sentinel's words.
TEST(SentinelHostnames, AConfigFileWithAHostnameNeedsResolveHostnames) {
  TempDir dir;
  const std::string conf = dir.path + "/sentinel.conf";
  std::ofstream(conf) << "port " << free_loopback_port() << "\n"
                      << "sentinel monitor mymaster localhost 6379 2\n";
  std::string output;
  EXPECT_NE(
      run_command(std::string(SP_SENTINEL_PROXY_BINARY) + " --sentinel " + conf + " 2>&1", output),
      0);
  EXPECT_NE(output.find("Can't resolve instance hostname."), std::string::npos) << output;

  // With resolve-hostnames further down the file, the same line is accepted: the option
  // applies wherever it stands. An unresolvable name is kept too.
  const int port = free_loopback_port();
  std::ofstream(conf) << "port " << port << "\n"
                      << "sentinel monitor mymaster no-such-host.invalid 6379 2\n"
                      << "sentinel resolve-hostnames yes\n";
  auto proxy = start_sentinel_proxy(conf, port);
  auto m = call_value(port, {"SENTINEL", "MASTER", "mymaster"});
  ASSERT_TRUE(m);
  EXPECT_EQ(field(*m, "ip"), "");  // not resolved, not announced by name
}

}  // namespace
}  // namespace sp::testing

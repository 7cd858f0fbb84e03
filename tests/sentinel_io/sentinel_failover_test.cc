// Three sentinel-proxy processes in drop-in sentinel mode fail a real redis-server master
// over: discovery, SIGKILL or SIGSTOP of the master, +switch-master on every sentinel
// port, the other replica following, and the old master turned into a replica.
#include <signal.h>

#include <gtest/gtest.h>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/sentinel_io/redis_group.h"
#include "tests/sentinel_io/sentinel_group.h"
#include "tests/support/redis_process.h"

namespace sp::testing {
namespace {

using Group = RedisGroup;

// Subscribes to +switch-master on a sentinel port and returns the connection.
std::unique_ptr<TestConnection> subscribe_switch(int port) {
  auto conn = std::make_unique<TestConnection>(port);
  conn->send("SUBSCRIBE +switch-master\r\n");
  const std::string ack = conn->read_until_suffix(":1\r\n", 2s);
  EXPECT_NE(ack.find("+switch-master"), std::string::npos);
  return conn;
}

void fail_over(bool hang_master, std::vector<bool> real = {false, false, false}) {
  Group g(real);
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s))
      << "the three sentinels did not discover each other and both replicas";

  std::vector<std::unique_ptr<TestConnection>> subs;
  for (int port : g.sentinel_ports) subs.push_back(subscribe_switch(port));

  const auto start = std::chrono::steady_clock::now();
  if (hang_master) {
    g.master->signal(SIGSTOP);
  } else {
    g.master->kill();
  }
  const std::string old_addr = "127.0.0.1 " + std::to_string(g.master_port);
  std::vector<double> seconds;
  for (auto& sub : subs) {
    const std::string message = sub->read_until_suffix("\r\n", 30s);
    ASSERT_NE(message.find("mymaster " + old_addr + " 127.0.0.1 "), std::string::npos)
        << "no +switch-master within 30 s: '" << message << "'";
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::printf("%s, %s to +switch-master: %.2f s first, %.2f s all three\n",
              real[0] ? "three redis-sentinel" : "three sentinel-proxy",
              hang_master ? "SIGSTOP" : "SIGKILL",
              *std::min_element(seconds.begin(), seconds.end()),
              *std::max_element(seconds.begin(), seconds.end()));

  const std::string new_master = g.master_addr(g.sentinel_ports[0]);
  for (int port : g.sentinel_ports) EXPECT_EQ(g.master_addr(port), new_master);
  const int new_port = std::stoi(new_master.substr(new_master.find(':') + 1));
  ASSERT_TRUE(new_port == g.replica_ports[0] || new_port == g.replica_ports[1]) << new_master;
  EXPECT_TRUE(wait_until([&] { return g.role_of(new_port) == "master"; }, 10s));
  const int other = new_port == g.replica_ports[0] ? g.replica_ports[1] : g.replica_ports[0];
  EXPECT_TRUE(wait_until([&] { return g.role_of(other) == "slave of " + new_master; }, 20s))
      << g.role_of(other);

  // The old master comes back (or wakes up) and is turned into a replica of the new one.
  if (hang_master) {
    g.master->signal(SIGCONT);
  } else {
    g.master = start_redis_on(g.master_port, g.dir);
  }
  EXPECT_TRUE(wait_until([&] { return g.role_of(g.master_port) == "slave of " + new_master; }, 30s))
      << g.role_of(g.master_port);
}

TEST(SentinelFailover, ThreeSentinelProxiesFailOverAKilledMaster) {
  fail_over(false);
}

TEST(SentinelFailover, ThreeSentinelProxiesFailOverAHungMaster) {
  fail_over(true);
}

// The same run with three real redis-sentinel processes: the yardstick for the figures
// printed above, measured on the same machine in the same run.
TEST(SentinelFailover, ThreeRealSentinelsFailOverAKilledMasterForComparison) {
  fail_over(false, {true, true, true});
}

// Proxy mode with the sentinel inside: three proxies, each also a sentinel of the group.
// After SIGKILL of the master every proxy routes new clients to the promoted replica, and
// what was written through a proxy before the fault is there.
TEST(SentinelFailover, ProxiesWithTheSentinelInsideRouteNewClientsToTheNewMaster) {
  Group g({false, false, false}, /*start_sentinels=*/false);
  const std::vector<int> client_ports = g.start_proxies();
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s));
  auto set = call_value(client_ports[0], {"SET", "before-failover", "1"});
  ASSERT_TRUE(set && set->text == "OK");
  ASSERT_TRUE(wait_until(
      [&] {
        for (int p : g.replica_ports) {
          auto v = call_value(p, {"GET", "before-failover"});
          if (!v || v->text != "1") return false;
        }
        return true;
      },
      10s));

  g.master->kill();
  std::string new_master;
  ASSERT_TRUE(wait_until(
      [&] {
        return !(new_master =
                     g.agreed_master_other_than("127.0.0.1:" + std::to_string(g.master_port)))
                    .empty();
      },
      30s));
  const std::string new_port = new_master.substr(new_master.find(':') + 1);
  for (int client_port : client_ports) {
    // PROXY TOPOLOGY: group, master-host, master-port, epoch (as field/value pairs).
    EXPECT_TRUE(wait_until(
        [&] {
          auto t = call_value(client_port, {"PROXY", "TOPOLOGY"});
          return t && field(*t, "master-port") == new_port;
        },
        10s))
        << "proxy on " << client_port << " still routes elsewhere";
    auto get = call_value(client_port, {"GET", "before-failover"});
    ASSERT_TRUE(get.has_value());
    EXPECT_EQ(get->text, "1");
    auto write = call_value(client_port, {"SET", "after-failover", "1"});
    ASSERT_TRUE(write.has_value());
    EXPECT_EQ(write->text, "OK") << "a write through the proxy failed after the switch";
  }
}

// A mixed group: two real redis-sentinel and one sentinel-proxy, and the other way round.
// Each lists the others; SENTINEL FAILOVER sent to either kind is performed by it and
// followed by the others.
void mixed_group(std::vector<bool> real) {
  Group g(real);
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s))
      << "real and sentinel-proxy sentinels did not discover each other";
  std::string current = "127.0.0.1:" + std::to_string(g.master_port);
  // First a real sentinel leads, then a sentinel-proxy (or the reverse).
  const std::size_t proxy_index = real[0] ? 2 : 0;
  const std::size_t real_index = real[0] ? 0 : 2;
  for (std::size_t leader : {real_index, proxy_index}) {
    const int port = g.sentinel_ports[leader];
    // NOGOODSLAVE until the replicas are known to be following the current master.
    ASSERT_TRUE(wait_until(
        [&] {
          auto r = call_value(port, {"SENTINEL", "FAILOVER", "mymaster"});
          return r && r->text == "OK";
        },
        30s))
        << "SENTINEL FAILOVER was never accepted by sentinel " << leader;
    std::string next;
    ASSERT_TRUE(
        wait_until([&] { return !(next = g.agreed_master_other_than(current)).empty(); }, 30s))
        << "the group did not converge after a failover led by sentinel " << leader;
    const int next_port = std::stoi(next.substr(next.find(':') + 1));
    EXPECT_TRUE(wait_until([&] { return g.role_of(next_port) == "master"; }, 10s));
    current = next;
  }
  // Then the master dies: the group converges on one new master, whoever leads.
  const int current_port = std::stoi(current.substr(current.find(':') + 1));
  ChildProcess* current_master = current_port == g.master_port        ? g.master.get()
                                 : current_port == g.replica_ports[0] ? g.replicas[0].get()
                                                                      : g.replicas[1].get();
  current_master->kill();
  std::string next;
  EXPECT_TRUE(
      wait_until([&] { return !(next = g.agreed_master_other_than(current)).empty(); }, 60s))
      << "no agreed new master after SIGKILL of " << current;
}

TEST(SentinelFailover, MixedGroupTwoRealSentinelsAndOneSentinelProxy) {
  mixed_group({true, true, false});
}

TEST(SentinelFailover, MixedGroupOneRealSentinelAndTwoSentinelProxies) {
  mixed_group({false, false, true});
}

// A restarted sentinel keeps its id and epoch from the rewritten config file, and its
// vote in an epoch survives the restart: a second asker in that epoch gets no vote.
TEST(SentinelFailover, RestartKeepsIdEpochAndVote) {
  const TempDir temp;
  const std::string& dir = temp.path;
  RedisProcess master;
  const int port = free_loopback_port();
  const std::string conf = dir + "/sentinel.conf";
  write_sentinel_conf(conf, port, master.port());
  auto sentinel = start_sentinel_proxy(conf, port);
  const std::string myid = call_value(port, {"SENTINEL", "MYID"})->text;
  ASSERT_EQ(myid.size(), 40u);

  const std::string first(40, 'a'), second(40, 'b');
  const std::vector<std::string> ask = {"SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1",
                                        std::to_string(master.port()), "7"};
  auto answer = call_value(port, {ask[0], ask[1], ask[2], ask[3], ask[4], first});
  ASSERT_TRUE(answer && answer->elements.size() == 3);
  EXPECT_EQ(answer->elements[1].text, first);
  EXPECT_EQ(answer->elements[2].integer, 7);

  sentinel->kill();
  const std::string text = read_file(conf);
  EXPECT_NE(text.find("sentinel myid " + myid), std::string::npos) << text;
  EXPECT_NE(text.find("sentinel current-epoch 7"), std::string::npos) << text;
  EXPECT_NE(text.find("sentinel leader-epoch mymaster 7"), std::string::npos);

  sentinel = start_sentinel_proxy(conf, port);
  EXPECT_EQ(call_value(port, {"SENTINEL", "MYID"})->text, myid);
  answer = call_value(port, {ask[0], ask[1], ask[2], ask[3], ask[4], second});
  ASSERT_TRUE(answer && answer->elements.size() == 3);
  // As Sentinel: only the epoch of the vote is persisted, so after a restart the answer
  // names no leader ("*") but never a second candidate in that epoch.
  EXPECT_EQ(answer->elements[1].text, "*") << "voted twice in epoch 7";
  EXPECT_EQ(answer->elements[2].integer, 7);
}

// The sentinel port answers bad and unknown input with Sentinel's own bytes: each input
// goes to a real redis-sentinel and to a sentinel-proxy monitoring the same master.
TEST(SentinelPortCompat, ErrorsAndSimpleRepliesMatchRedisSentinelByteForByte) {
  const TempDir temp;
  const std::string& dir = temp.path;
  RedisProcess master;
  const int real_port = free_loopback_port(), ours_port = free_loopback_port();
  write_sentinel_conf(dir + "/real.conf", real_port, master.port());
  write_sentinel_conf(dir + "/ours.conf", ours_port, master.port());
  auto real = start_redis_sentinel(dir + "/real.conf", real_port);
  auto ours = start_sentinel_proxy(dir + "/ours.conf", ours_port);
  const std::vector<std::string> inputs = {
      "PING\r\n",
      "PING hello\r\n",
      "GET x\r\n",
      "FOO\r\n",
      "SENTINEL\r\n",
      "SENTINEL foo\r\n",
      "SENTINEL get-master-addr-by-name\r\n",
      "SENTINEL get-master-addr-by-name nosuch\r\n",
      "SENTINEL get-master-addr-by-name mymaster\r\n",
      "SENTINEL master nosuch\r\n",
      "SENTINEL replicas nosuch\r\n",
      "SENTINEL failover nosuch\r\n",
      "SENTINEL ckquorum nosuch\r\n",
      "PUBLISH foo bar\r\n",
      "SENTINEL remove nosuch\r\n",
      "SENTINEL set nosuch quorum 1\r\n",
      "SENTINEL set mymaster foo 1\r\n",
      "SENTINEL set mymaster quorum x\r\n",
      "SENTINEL set mymaster quorum\r\n",
      "SENTINEL reset nosuch*\r\n",
      "SENTINEL pending-scripts\r\n",
      "SENTINEL debug\r\n",
      "SENTINEL debug foo 1\r\n",
      "SENTINEL config get *\r\n",
      "SENTINEL config get nothing\r\n",
      "SENTINEL simulate-failure help\r\n",
      "SENTINEL simulate-failure foo\r\n",
      "SENTINEL simulate-failure\r\n",
      "SENTINEL info-cache nosuch\r\n",
      "SENTINEL config set announce-port x\r\n",
      "SENTINEL config set announce-port 70000\r\n",
      "SENTINEL config set foo 1\r\n",
      "SENTINEL config set resolve-hostnames maybe\r\n",
      "SENTINEL config set\r\n",
      "SENTINEL config foo x\r\n",
      "SENTINEL config set sentinel-user someone\r\n",
      "SENTINEL config get sentinel-user\r\n",
      "AUTH\r\n",
      "AUTH foo\r\n",
      "AUTH default foo\r\n",
      "AUTH a b c\r\n",
      "SENTINEL monitor mymaster 127.0.0.1 6379 0\r\n",
      "SENTINEL monitor mymaster 127.0.0.1 6379 2\r\n",
      "SENTINEL monitor other 127.0.0.1 x 2\r\n",
      "ROLE\r\n",
      "*1\r\n$4\r\nPING\r\n",
      "*1\r\n$x\r\n",
      "*-x\r\n",
      "PING \"unbalanced\r\n",
  };
  expect_same_replies(real_port, ours_port, inputs);
}

// With requirepass: NOAUTH before AUTH (Pub/Sub included), WRONGPASS, then service.
TEST(SentinelPortCompat, RequirepassAuthMatchesRedisSentinel) {
  const TempDir temp;
  const std::string& dir = temp.path;
  RedisProcess master;
  const int real_port = free_loopback_port(), ours_port = free_loopback_port();
  for (auto [name, port] : {std::pair{"real", real_port}, std::pair{"ours", ours_port}}) {
    write_sentinel_conf(dir + "/" + name + ".conf", port, master.port());
    std::ofstream(dir + "/" + name + ".conf", std::ios::app) << "requirepass s3cret\n";
  }
  auto real = start_redis_sentinel(dir + "/real.conf", real_port);
  auto ours = start_sentinel_proxy(dir + "/ours.conf", ours_port);
  expect_same_replies(real_port, ours_port,
                      {
                          "SENTINEL masters\r\n",
                          "SUBSCRIBE +sdown\r\n",
                          "AUTH wrong\r\n",
                          "AUTH default wrong\r\n",
                          "AUTH nobody s3cret\r\n",
                          "AUTH s3cret\r\nPING\r\n",
                          "AUTH default s3cret\r\nSENTINEL get-master-addr-by-name mymaster\r\n",
                      });
}

// redis-py's Sentinel client (Debian's python3-redis) finds the master through a
// sentinel-proxy and writes to it, unchanged.
TEST(SentinelClients, RedisPySentinelFindsTheMaster) {
  if (std::system("/usr/bin/python3 -c 'import redis' 2>/dev/null") != 0) {
    GTEST_SKIP() << "python3-redis is not installed (scripts/install-deps.sh installs it)";
  }
  const TempDir temp;
  const std::string& dir = temp.path;
  RedisProcess master;
  const int port = free_loopback_port();
  write_sentinel_conf(dir + "/s.conf", port, master.port());
  auto sentinel = start_sentinel_proxy(dir + "/s.conf", port);
  const std::string script =
      "from redis.sentinel import Sentinel\n"
      "s = Sentinel([('127.0.0.1', " +
      std::to_string(port) +
      ")], socket_timeout=2)\n"
      "assert s.discover_master('mymaster') == ('127.0.0.1', " +
      std::to_string(master.port()) +
      ")\n"
      "m = s.master_for('mymaster', socket_timeout=2)\n"
      "m.set('redis-py', 'ok')\n"
      "assert m.get('redis-py') == b'ok'\n";
  std::ofstream(dir + "/client.py") << script;
  EXPECT_EQ(std::system(("/usr/bin/python3 " + dir + "/client.py").c_str()), 0);
}

}  // namespace
}  // namespace sp::testing

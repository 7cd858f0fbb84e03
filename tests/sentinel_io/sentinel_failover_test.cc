// Three sentinel-proxy processes in drop-in sentinel mode fail a real redis-server master
// over: discovery, SIGKILL or SIGSTOP of the master, +switch-master on every sentinel
// port, the other replica following, and the old master turned into a replica.
#include <signal.h>

#include <gtest/gtest.h>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/sentinel_io/sentinel_group.h"
#include "tests/support/redis_process.h"

namespace sp::testing {
namespace {

struct Group {
  std::string dir = make_temp_dir();
  int master_port = free_loopback_port();
  std::vector<int> replica_ports = {free_loopback_port(), free_loopback_port()};
  std::vector<int> sentinel_ports = {free_loopback_port(), free_loopback_port(),
                                     free_loopback_port()};
  std::unique_ptr<Child> master;
  std::vector<std::unique_ptr<Child>> replicas;
  std::vector<std::unique_ptr<Child>> sentinels;

  Group() {
    master = start_redis(master_port, dir);
    for (int port : replica_ports) {
      replicas.push_back(
          start_redis(port, dir, {"--replicaof", "127.0.0.1", std::to_string(master_port)}));
    }
    for (int port : sentinel_ports) {
      write_sentinel_conf(conf(port), port, master_port);
      sentinels.push_back(start_sentinel_proxy(conf(port), port));
    }
  }
  ~Group() {
    sentinels.clear();
    replicas.clear();
    master.reset();
    std::error_code ignored;
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir, ignored);
  }

  std::string conf(int port) const { return dir + "/sentinel-" + std::to_string(port) + ".conf"; }

  std::optional<protocol::Value> master_fields(int sentinel_port) const {
    return call(sentinel_port, {"SENTINEL", "MASTER", "mymaster"});
  }

  bool all_discovered() const {
    for (int port : sentinel_ports) {
      auto m = master_fields(port);
      if (!m || field(*m, "num-other-sentinels") != "2" || field(*m, "num-slaves") != "2") {
        return false;
      }
    }
    return true;
  }

  std::string master_addr(int sentinel_port) const {
    auto a = call(sentinel_port, {"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"});
    if (!a || a->elements.size() != 2) return "";
    return a->elements[0].text + ":" + a->elements[1].text;
  }

  std::string role_of(int port) const {
    auto r = call(port, {"ROLE"}, 500ms);
    if (!r || r->elements.size() < 2) return "";
    if (r->elements[0].text == "slave") {
      return "slave of " + r->elements[1].text + ":" + std::to_string(r->elements[2].integer);
    }
    return r->elements[0].text;
  }
};

// Subscribes to +switch-master on a sentinel port and returns the connection.
std::unique_ptr<TestConnection> subscribe_switch(int port) {
  auto conn = std::make_unique<TestConnection>(port);
  conn->send("SUBSCRIBE +switch-master\r\n");
  const std::string ack = conn->read_until_suffix(":1\r\n", 2s);
  EXPECT_NE(ack.find("+switch-master"), std::string::npos);
  return conn;
}

void fail_over(bool hang_master) {
  Group g;
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
  std::printf("SIGKILL/SIGSTOP to +switch-master: %.2f s first, %.2f s all three\n",
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
    g.master = start_redis(g.master_port, g.dir);
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

// A restarted sentinel keeps its id and epoch from the rewritten config file, and its
// vote in an epoch survives the restart: a second asker in that epoch gets no vote.
TEST(SentinelFailover, RestartKeepsIdEpochAndVote) {
  const std::string dir = make_temp_dir();
  RedisProcess master;
  const int port = free_loopback_port();
  const std::string conf = dir + "/sentinel.conf";
  write_sentinel_conf(conf, port, master.port());
  auto sentinel = start_sentinel_proxy(conf, port);
  const std::string myid = call(port, {"SENTINEL", "MYID"})->text;
  ASSERT_EQ(myid.size(), 40u);

  const std::string first(40, 'a'), second(40, 'b');
  const std::vector<std::string> ask = {"SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1",
                                        std::to_string(master.port()), "7"};
  auto answer = call(port, {ask[0], ask[1], ask[2], ask[3], ask[4], first});
  ASSERT_TRUE(answer && answer->elements.size() == 3);
  EXPECT_EQ(answer->elements[1].text, first);
  EXPECT_EQ(answer->elements[2].integer, 7);

  sentinel->kill();
  std::stringstream text;
  text << std::ifstream(conf).rdbuf();
  EXPECT_NE(text.str().find("sentinel myid " + myid), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("sentinel current-epoch 7"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("sentinel leader-epoch mymaster 7"), std::string::npos);

  sentinel = start_sentinel_proxy(conf, port);
  EXPECT_EQ(call(port, {"SENTINEL", "MYID"})->text, myid);
  answer = call(port, {ask[0], ask[1], ask[2], ask[3], ask[4], second});
  ASSERT_TRUE(answer && answer->elements.size() == 3);
  // As Sentinel: only the epoch of the vote is persisted, so after a restart the answer
  // names no leader ("*") but never a second candidate in that epoch.
  EXPECT_EQ(answer->elements[1].text, "*") << "voted twice in epoch 7";
  EXPECT_EQ(answer->elements[2].integer, 7);
  sentinel.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace
}  // namespace sp::testing

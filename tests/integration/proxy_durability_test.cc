// Durability mode (write-durability replica; README.md, "Durability mode"), against a real
// master and replica: a write's reply reaches the client only once the replica has the
// write; when it does not confirm in time the client gets -NOREPLICAS in the write's place,
// reads keep their replies and the order holds; nothing of the proxy's WAIT reaches the
// client. Both backend modes. (proxy_compat_test runs its whole corpus through this mode
// byte for byte; tests/partition runs it under SIGKILL and partitions.)
#include <signal.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/integration/proxy_harness.h"

namespace sp::testing {
namespace {

constexpr const char* kRefusalStart =
    "-NOREPLICAS sentinel-proxy: write not confirmed by the replicas (";

// The replica's first sync starts at once rather than after Redis's 5 s.
const std::vector<std::string> kMasterArgs = {"--repl-diskless-sync-delay", "0"};

// SIGSTOP until the end of the scope, whatever the test does meanwhile.
class Stopped {
 public:
  explicit Stopped(pid_t pid) : pid_(pid) { ::kill(pid_, SIGSTOP); }
  ~Stopped() { ::kill(pid_, SIGCONT); }
  Stopped(const Stopped&) = delete;
  Stopped& operator=(const Stopped&) = delete;

 private:
  pid_t pid_;
};

// Each phase that expects a write confirmed gives the replicas all the time a busy machine
// may need; a phase that expects a refusal (a replica stopped) waits a short time instead.
void set_timeout(const ProxyProcess& proxy, const std::string& ms) {
  ASSERT_EQ(call(proxy.port(), {"PROXY", "CONFIG", "SET", "write-durability-timeout", ms}),
            "+OK\r\n");
}

bool replica_linked(const RedisProcess& replica) {
  return info_field(call(replica.port(), {"INFO", "replication"}), "master_link_status") == "up";
}

std::string wait_calls(int server_port) {
  const std::string stats = call(server_port, {"INFO", "commandstats"});
  const auto at = stats.find("cmdstat_wait:calls=");
  if (at == std::string::npos) return "0";
  const auto begin = at + std::string("cmdstat_wait:calls=").size();
  return stats.substr(begin, stats.find(',', begin) - begin);
}

class ProxyDurability : public ::testing::TestWithParam<bool> {
 protected:
  std::vector<std::string> args(const std::string& timeout_ms) const {
    std::vector<std::string> a = {"--write-durability", "replica", "--write-durability-timeout",
                                  timeout_ms};
    if (GetParam()) a.insert(a.end(), {"--backend-pool-size", "1"});
    return a;
  }
};

INSTANTIATE_TEST_SUITE_P(BackendModes, ProxyDurability, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Pooled" : "Dedicated"; });

TEST_P(ProxyDurability, ConfirmedWritesAnswerAsRedisAndTheWaitStaysHidden) {
  RedisProcess master(kMasterArgs);
  RedisProcess replica({"--replicaof", "127.0.0.1", std::to_string(master.port())});
  ASSERT_TRUE(wait_until([&] { return replica_linked(replica); }, 10s));
  ProxyProcess proxy(master.port(), args("10000"));
  TestConnection conn(proxy.port());
  FrameReader reader(conn);
  conn.send(resp({"SET", "k", "v"}) + resp({"GET", "k"}) + resp({"INCR", "n"}) + resp({"MULTI"}) +
            resp({"INCR", "n"}) + resp({"EXEC"}) + resp({"PING"}));
  EXPECT_EQ(reader.frames(7).value_or("<timed out>"),
            "+OK\r\n$1\r\nv\r\n:1\r\n+OK\r\n+QUEUED\r\n*1\r\n:2\r\n+PONG\r\n");
  // The replica had every write when its reply left.
  EXPECT_EQ(call(replica.port(), {"GET", "n"}), "$1\r\n2\r\n");
  const std::string info = call(proxy.port(), {"PROXY", "INFO"});
  EXPECT_EQ(info_field(info, "write_durability"), "replica");
  EXPECT_EQ(info_field(info, "writes_unconfirmed"), "0");
  // One WAIT before MULTI (behind SET and INCR; two should the pipeline come in two
  // reads), one behind EXEC; the master counted each.
  const int waits = std::stoi(info_field(info, "durability_waits"));
  EXPECT_GE(waits, 2);
  EXPECT_EQ(std::stoi(wait_calls(master.port())), waits);
  EXPECT_EQ(reader.buffered(), "");
}

TEST_P(ProxyDurability, AnUnconfirmedWriteGetsNoreplicasAndReadsKeepTheirReplies) {
  RedisProcess master(kMasterArgs);
  RedisProcess replica({"--replicaof", "127.0.0.1", std::to_string(master.port())});
  ASSERT_TRUE(wait_until([&] { return replica_linked(replica); }, 10s));
  ProxyProcess proxy(master.port(), args("10000"));
  ASSERT_EQ(call(proxy.port(), {"SET", "k", "before"}), "+OK\r\n");
  set_timeout(proxy, "200");
  {
    Stopped stopped(replica.pid());
    TestConnection conn(proxy.port());
    FrameReader reader(conn);
    conn.send(resp({"SET", "k", "during"}) + resp({"GET", "k"}) + resp({"INCR", "n"}) +
              resp({"LPUSH", "k", "x"}) + resp({"PING"}));
    const std::string replies = reader.frames(5).value_or("<timed out>");
    // SET and INCR ran on the master but are not acknowledged; LPUSH's error and the
    // reads are the master's own replies.
    const std::string refusal =
        std::string(kRefusalStart) +
        "0 of 1 replica(s) confirmed it within 200 ms); it ran on master 127.0.0.1:" +
        std::to_string(master.port()) +
        " and a failover may lose it (write-durability replica)\r\n";
    EXPECT_EQ(replies, refusal + "$6\r\nduring\r\n" + refusal +
                           "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
                           "+PONG\r\n");
    EXPECT_EQ(info_field(call(proxy.port(), {"PROXY", "INFO"}), "writes_unconfirmed"), "2");
  }
  // The replica back, writes are acknowledged again.
  ASSERT_TRUE(wait_until(
      [&] {
        return call(replica.port(), {"GET", "k"}) == "$6\r\nduring\r\n";
      },
      10s));
  set_timeout(proxy, "10000");
  EXPECT_EQ(call(proxy.port(), {"SET", "k", "after"}), "+OK\r\n");
  EXPECT_EQ(call(replica.port(), {"GET", "k"}), "$5\r\nafter\r\n");
}

TEST_P(ProxyDurability, AWriteWaitsForAsManyReplicasAsConfigured) {
  RedisProcess master(kMasterArgs);
  RedisProcess replica({"--replicaof", "127.0.0.1", std::to_string(master.port())});
  ASSERT_TRUE(wait_until([&] { return replica_linked(replica); }, 10s));
  std::vector<std::string> two = args("100");
  two.insert(two.end(), {"--write-durability-replicas", "2"});
  ProxyProcess proxy(master.port(), two);
  const std::string reply = call(proxy.port(), {"SET", "k", "v"});
  // 1 of 2 (0 of 2 should the one replica be slower than 100 ms on a busy machine).
  EXPECT_TRUE(reply.starts_with(kRefusalStart)) << reply;
  EXPECT_NE(reply.find(" of 2 replica(s) confirmed it within 100 ms); it ran on master"),
            std::string::npos)
      << reply;
  RedisProcess second({"--replicaof", "127.0.0.1", std::to_string(master.port())});
  ASSERT_TRUE(wait_until([&] { return replica_linked(second); }, 10s));
  set_timeout(proxy, "10000");
  EXPECT_EQ(call(proxy.port(), {"SET", "k", "w"}), "+OK\r\n");
  EXPECT_EQ(call(second.port(), {"GET", "k"}), "$1\r\nw\r\n");
}

// Pooled: the sessions that ask in one pass of the event loop share one WAIT behind all
// their requests, and each gets its own replies, in order.
TEST(ProxyDurabilityPooled, ClientsShareTheWaitAndEachGetsItsOwnReplies) {
  RedisProcess master(kMasterArgs);
  RedisProcess replica({"--replicaof", "127.0.0.1", std::to_string(master.port())});
  ASSERT_TRUE(wait_until([&] { return replica_linked(replica); }, 10s));
  ProxyProcess proxy(master.port(), {"--write-durability", "replica", "--write-durability-timeout",
                                     "10000", "--backend-pool-size", "1"});
  constexpr int kClients = 30;
  constexpr int kRounds = 20;
  std::vector<std::unique_ptr<TestConnection>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<TestConnection>(proxy.port()));
    ASSERT_TRUE(clients.back()->connected());
  }
  std::vector<std::unique_ptr<FrameReader>> readers;
  for (auto& c : clients) readers.push_back(std::make_unique<FrameReader>(*c));
  for (int round = 1; round <= kRounds; ++round) {
    // Every client sends before any is read: their writes meet on the shared link.
    for (int i = 0; i < kClients; ++i) {
      clients[i]->send(resp({"INCR", "n:" + std::to_string(i)}) +
                       resp({"GET", "n:" + std::to_string(i)}));
    }
    for (int i = 0; i < kClients; ++i) {
      const std::string n = std::to_string(round);
      ASSERT_EQ(readers[i]->frames(2).value_or("<timed out>"),
                ":" + n + "\r\n$" + std::to_string(n.size()) + "\r\n" + n + "\r\n")
          << "client " << i << ", round " << round;
    }
  }
  const std::string info = call(proxy.port(), {"PROXY", "INFO"});
  EXPECT_EQ(info_field(info, "writes_unconfirmed"), "0");
  EXPECT_EQ(info_field(info, "durability_waits"), std::to_string(kClients * kRounds));
  // Fewer WAITs reached the master than runs of writes were confirmed.
  EXPECT_LT(std::stoi(wait_calls(master.port())), kClients * kRounds);
  EXPECT_EQ(call(replica.port(), {"GET", "n:7"}), "$2\r\n20\r\n");
}

// Replies held for a WAIT do not count against the reader's pause: a write pipelined with
// a large read completes (it hung before: the reader paused for the held bytes, which only
// the WAIT's reply, never read, could release).
TEST_P(ProxyDurability, ALargeReplyHeldBehindAWaitIsDelivered) {
  RedisProcess master(kMasterArgs);
  RedisProcess replica({"--replicaof", "127.0.0.1", std::to_string(master.port())});
  ASSERT_TRUE(wait_until([&] { return replica_linked(replica); }, 10s));
  ProxyProcess proxy(master.port(), args("10000"));
  const std::string big(300 * 1024, 'b');
  ASSERT_EQ(call(proxy.port(), {"SET", "big", big}), "+OK\r\n");
  TestConnection conn(proxy.port());
  FrameReader reader(conn);
  conn.send(resp({"SET", "k", "v"}) + resp({"GET", "big"}) + resp({"GETDEL", "big"}));
  const std::string bulk = "$" + std::to_string(big.size()) + "\r\n" + big + "\r\n";
  const auto replies = reader.frames(3, 20s);
  ASSERT_TRUE(replies.has_value()) << "got " << reader.buffered().size() << " bytes";
  EXPECT_TRUE(*replies == "+OK\r\n" + bulk + bulk);
}

// What each command is, as durability sees it: XADD and XREAD without BLOCK through the
// pooled link keep their order; XGROUP CREATE (a container's subcommand) is a write;
// CLIENT REPLY OFF is refused.
TEST_P(ProxyDurability, SubcommandsStreamsAndClientReply) {
  RedisProcess master(kMasterArgs);
  RedisProcess replica({"--replicaof", "127.0.0.1", std::to_string(master.port())});
  ASSERT_TRUE(wait_until([&] { return replica_linked(replica); }, 10s));
  ProxyProcess proxy(master.port(), args("10000"));
  TestConnection conn(proxy.port());
  FrameReader reader(conn);
  conn.send(resp({"XADD", "s", "1-1", "f", "v"}) + resp({"XREAD", "STREAMS", "s", "0"}) +
            resp({"XLEN", "s"}));
  EXPECT_EQ(reader.frames(3).value_or("<timed out>"),
            "$3\r\n1-1\r\n*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$"
            "1\r\nv\r\n:1\r\n");
  conn.send(resp({"CLIENT", "REPLY", "OFF"}) + resp({"PING"}));
  EXPECT_EQ(reader.frames(2).value_or("<timed out>"),
            "-ERR sentinel-proxy: CLIENT REPLY OFF and SKIP are not available with "
            "write-durability replica (each write's reply confirms it)\r\n+PONG\r\n");
  set_timeout(proxy, "200");
  {
    Stopped stopped(replica.pid());
    conn.send(resp({"XGROUP", "CREATE", "s", "g", "0"}));
    const std::string reply = reader.frames(1).value_or("<timed out>");
    EXPECT_TRUE(reply.starts_with(kRefusalStart)) << reply;
  }
}

TEST_P(ProxyDurability, WithoutAReplicaNoWriteIsAcknowledged) {
  RedisProcess master;
  ProxyProcess proxy(master.port(), args("50"));
  const std::string reply = call(proxy.port(), {"SET", "k", "v"});
  EXPECT_TRUE(reply.starts_with(kRefusalStart)) << reply;
  EXPECT_EQ(call(proxy.port(), {"GET", "k"}), "$1\r\nv\r\n");
  // Switched off at run time (PROXY CONFIG SET), writes are acknowledged as Redis does.
  EXPECT_EQ(call(proxy.port(), {"PROXY", "CONFIG", "SET", "write-durability", "async"}), "+OK\r\n");
  EXPECT_EQ(call(proxy.port(), {"SET", "k", "w"}), "+OK\r\n");
}

}  // namespace
}  // namespace sp::testing

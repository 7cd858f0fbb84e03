// Pooled mode (backend-pool-size; README.md, "Pooled mode"), against a real redis-server:
// the stateless commands of many clients share the worker's connections and each client
// gets exactly its own replies, in order; a command that binds state to the connection
// waits for the replies before it, then the client has a connection of its own; a client
// that does not read its replies holds up no one else; a shared connection the server
// closes is opened again. (proxy_compat_test runs the whole corpus through this mode, and
// proxy_failover_pooled_test the failover tests.)
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/integration/proxy_harness.h"

namespace sp::testing {
namespace {

constexpr int kPoolSize = 2;

int connected_clients(int server_port) {
  const std::string v = info_field(call(server_port, {"INFO", "clients"}), "connected_clients");
  return v.empty() ? -1 : std::stoi(v);
}

std::string bulk(const std::string& s) {
  return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

TEST(ProxyPooled, ManyClientsShareTheLinksAndEachGetsItsOwnReplies) {
  RedisProcess redis;
  ProxyProcess proxy(redis.port(), {"--backend-pool-size", std::to_string(kPoolSize)});
  constexpr int kClients = 40;
  constexpr int kCommands = 500;
  std::vector<std::unique_ptr<TestConnection>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<TestConnection>(proxy.port()));
    ASSERT_TRUE(clients.back()->connected());
  }
  // Every client's pipeline is sent before any is read, so that the links carry the
  // commands of many clients interleaved.
  for (int i = 0; i < kClients; ++i) {
    std::string pipeline;
    for (int n = 0; n < kCommands; ++n) pipeline += resp({"INCR", "counter:" + std::to_string(i)});
    clients[i]->send(pipeline);
  }
  for (int i = 0; i < kClients; ++i) {
    FrameReader reader(*clients[i]);
    const auto replies = reader.frames(kCommands, 20s);
    ASSERT_TRUE(replies.has_value()) << "client " << i << " got " << reader.buffered().size();
    std::string expected;
    for (int n = 1; n <= kCommands; ++n) expected += ":" + std::to_string(n) + "\r\n";
    EXPECT_TRUE(*replies == expected) << "client " << i << " got replies not its own";
  }
  // 40 clients, still connected, and the server sees only the shared links (and us).
  EXPECT_EQ(connected_clients(redis.port()), 1 + kPoolSize);
  const std::string info = call(proxy.port(), {"PROXY", "INFO"});
  EXPECT_EQ(info_field(info, "backend_pool_size"), std::to_string(kPoolSize));
  EXPECT_EQ(info_field(info, "sessions_pinned"), "0");
}

TEST(ProxyPooled, APinningCommandWaitsForTheSharedRepliesThenOwnsAConnection) {
  RedisProcess redis;
  ProxyProcess proxy(redis.port(), {"--backend-pool-size", std::to_string(kPoolSize)});
  TestConnection conn(proxy.port());
  FrameReader reader(conn);
  // In one write: shared commands, then SELECT 1 (pins), then commands on the session's
  // own connection, whose replies must not overtake the shared ones.
  conn.send(resp({"SET", "k", "v0"}) + resp({"GET", "k"}) + resp({"SELECT", "1"}) +
            resp({"GET", "k"}) + resp({"SET", "k", "v1"}) + resp({"CLIENT", "SETNAME", "me"}) +
            resp({"SELECT", "0"}) + resp({"GET", "k"}) + resp({"CLIENT", "GETNAME"}));
  EXPECT_EQ(
      reader.frames(9).value_or("<timed out>"),
      "+OK\r\n" + bulk("v0") + "+OK\r\n$-1\r\n+OK\r\n+OK\r\n+OK\r\n" + bulk("v0") + bulk("me"));
  // SELECT 0 alone does not pin: a second client stays on the shared links.
  TestConnection other(proxy.port());
  FrameReader other_reader(other);
  other.send(resp({"SELECT", "0"}) + resp({"GET", "k"}));
  EXPECT_EQ(other_reader.frames(2).value_or("<timed out>"), "+OK\r\n" + bulk("v0"));
  const std::string info = call(proxy.port(), {"PROXY", "INFO"});
  EXPECT_EQ(info_field(info, "sessions_pinned"), "1");
  // The links (opened as clients took them), the pinned client's own connection, and us.
  EXPECT_TRUE(wait_until([&] { return connected_clients(redis.port()) == 1 + kPoolSize + 1; }, 5s))
      << connected_clients(redis.port());
  EXPECT_NE(call(redis.port(), {"CLIENT", "LIST"}).find("name=me "), std::string::npos);
}

TEST(ProxyPooled, AClientThatDoesNotReadHoldsUpNoOneElse) {
  RedisProcess redis;
  ProxyProcess proxy(redis.port(), {"--backend-pool-size", "1"});
  const std::string value(1024 * 1024, 'x');
  ASSERT_EQ(call(proxy.port(), {"SET", "big", value}), "+OK\r\n");
  TestConnection slow(proxy.port());
  constexpr int kGets = 24;  // 24 MiB of replies that the client does not read yet
  std::string gets;
  for (int i = 0; i < kGets; ++i) gets += resp({"GET", "big"});
  slow.send(gets);
  // Another client on the same (only) link is answered meanwhile.
  for (int i = 0; i < 20; ++i) {
    TestConnection fast(proxy.port());
    FrameReader reader(fast);
    fast.send(resp({"PING"}));
    ASSERT_EQ(reader.frames(1, 5s).value_or("<stalled>"), "+PONG\r\n") << i;
  }
  FrameReader slow_reader(slow);
  const auto replies = slow_reader.frames(kGets, 30s);
  ASSERT_TRUE(replies.has_value()) << slow_reader.buffered().size();
  EXPECT_EQ(replies->size(), kGets * (bulk(value).size()));
}

TEST(ProxyPooled, ASharedLinkTheServerClosesIsOpenedAgain) {
  RedisProcess redis;
  ProxyProcess proxy(redis.port(), {"--backend-pool-size", std::to_string(kPoolSize)});
  std::vector<std::unique_ptr<TestConnection>> clients;
  std::vector<std::unique_ptr<FrameReader>> readers;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<TestConnection>(proxy.port()));
    readers.push_back(std::make_unique<FrameReader>(*clients.back()));
    clients.back()->send(resp({"SET", "k" + std::to_string(i), "v"}));
    ASSERT_EQ(readers.back()->frames(1).value_or(""), "+OK\r\n");
  }
  ASSERT_EQ(connected_clients(redis.port()), 1 + kPoolSize);
  // Every connection but ours: the links, with no command in flight.
  EXPECT_EQ(call(redis.port(), {"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"}),
            ":" + std::to_string(kPoolSize) + "\r\n");
  ASSERT_TRUE(wait_until([&] { return connected_clients(redis.port()) == 1; }, 5s));
  // Idle clients of the killed links are served on new ones, and stay connected.
  for (int i = 0; i < 4; ++i) {
    clients[i]->send(resp({"GET", "k" + std::to_string(i)}));
    EXPECT_EQ(readers[i]->frames(1).value_or("<no reply>"), bulk("v")) << i;
  }
  EXPECT_EQ(connected_clients(redis.port()), 1 + kPoolSize);
  EXPECT_TRUE(proxy.running());
}

// Redis never answers REPLCONF ACK: on a shared connection every later reply would go to
// the client before its owner. It pins, so others get their own replies.
TEST(ProxyPooled, ACommandRedisDoesNotAnswerLeavesOthersTheirReplies) {
  RedisProcess redis;
  ProxyProcess proxy(redis.port(), {"--backend-pool-size", "1"});
  TestConnection replica_like(proxy.port());
  replica_like.send(resp({"REPLCONF", "ACK", "0"}));
  TestConnection other(proxy.port());
  FrameReader reader(other);
  other.send(resp({"SET", "k", "v"}) + resp({"GET", "k"}));
  EXPECT_EQ(reader.frames(2, 5s).value_or("<timed out: " + reader.buffered() + ">"),
            "+OK\r\n" + bulk("v"));
}

// A script that keeps Redis busy holds up every command behind it on its shared
// connection, so SCRIPT KILL must not queue there: it pins, and reaches Redis at once.
TEST(ProxyPooled, ScriptKillReachesABusyServer) {
  RedisProcess redis({"--busy-reply-threshold", "100"});
  ProxyProcess proxy(redis.port(), {"--backend-pool-size", "1"});
  TestConnection busy(proxy.port());
  FrameReader busy_reader(busy);
  busy.send(resp({"EVAL", "while true do end", "0"}));
  // Redis answers -BUSY to other connections once the script ran past the threshold.
  ASSERT_TRUE(
      wait_until([&] { return call(redis.port(), {"PING"}, 500ms).starts_with("-BUSY"); }, 10s));
  TestConnection killer(proxy.port());
  FrameReader killer_reader(killer);
  killer.send(resp({"SCRIPT", "KILL"}));
  EXPECT_EQ(killer_reader.frames(1, 5s).value_or("<never reached Redis>"), "+OK\r\n");
  const std::string killed = busy_reader.frames(1, 5s).value_or("<no reply>");
  EXPECT_TRUE(killed.starts_with("-ERR Script killed by user with SCRIPT KILL")) << killed;
}

}  // namespace
}  // namespace sp::testing

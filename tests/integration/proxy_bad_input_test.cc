// What goes wrong around the proxy: malformed and oversized requests, clients that vanish
// mid-pipeline, a master killed mid-reply or not there at all. In each case the proxy
// answers as Redis would (same bytes, then the close), never hangs, and keeps serving
// everyone else.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/proxy_harness.h"
#include "tests/protocol/malformed_requests.h"

namespace sp::testing {
namespace {

std::string unreachable(const std::string& group, int port, const std::string& cause) {
  return "-ERR sentinel-proxy: master of '" + group + "' (127.0.0.1:" + std::to_string(port) +
         ") unreachable: " + cause + "\r\n";
}

// Sends `bytes` on a fresh connection and returns everything until the close, or
// "<still open>" after the deadline.
std::string send_until_closed(int port, const std::string& bytes) {
  TestConnection conn(port);
  if (!conn.connected()) return "<cannot connect>";
  conn.send(bytes);
  FrameReader reader(conn);
  return reader.until_closed(10s).value_or("<still open>");
}

TEST(ProxyBadInput, MalformedRequestsGetRedisErrorTextThenClose) {
  RedisProcess direct;
  RedisProcess behind;
  ProxyProcess proxy(behind.port());
  TestConnection bystander(proxy.port());
  FrameReader bystander_reader(bystander);
  bystander.send(resp({"SET", "k", "v"}));
  ASSERT_EQ(bystander_reader.frames(1).value_or(""), "+OK\r\n");
  for (const auto& c : protocol::testing::malformed_requests()) {
    SCOPED_TRACE(c.name);
    const std::string expected = send_until_closed(direct.port(), c.bytes);
    ASSERT_TRUE(expected.ends_with("-ERR " + c.message + "\r\n")) << expected;
    EXPECT_EQ(send_until_closed(proxy.port(), c.bytes), expected);
    bystander.send(resp({"GET", "k"}));
    EXPECT_EQ(bystander_reader.frames(1).value_or("<none>"), "$1\r\nv\r\n");
  }
  EXPECT_EQ(info_field(call(proxy.port(), {"PROXY", "INFO"}), "connected_clients"), "2");
}

TEST(ProxyBadInput, BulkOverProtoMaxBulkLen) {
  RedisProcess direct({"--proto-max-bulk-len", "1mb"});
  RedisProcess behind;
  ProxyProcess proxy(behind.port(), {"--proto-max-bulk-len", "1mb"});
  const std::string over = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n";
  const std::string expected = send_until_closed(direct.port(), over);
  EXPECT_EQ(expected, "-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_EQ(send_until_closed(proxy.port(), over), expected);
  // Exactly the limit is fine, on both.
  const std::string at_limit =
      resp({"SET", "k", std::string(1024 * 1024, 'x')}) + resp({"STRLEN", "k"}) + resp({"QUIT"});
  EXPECT_EQ(send_until_closed(direct.port(), at_limit), "+OK\r\n:1048576\r\n+OK\r\n");
  EXPECT_EQ(send_until_closed(proxy.port(), at_limit), "+OK\r\n:1048576\r\n+OK\r\n");
}

TEST(ProxyBadInput, ClientVanishingMidPipelineHurtsNoOne) {
  RedisProcess behind;
  ProxyProcess proxy(behind.port());
  ASSERT_EQ(call(behind.port(), {"SET", "big", std::string(1024, 'v')}), "+OK\r\n");
  TestConnection bystander(proxy.port());
  FrameReader bystander_reader(bystander);
  for (int round = 0; round < 3; ++round) {
    {
      // 50 000 GETs of 1 KB (50 MB of replies nobody reads) and half a command, then gone.
      std::string pipeline;
      for (int i = 0; i < 50'000; ++i) pipeline += resp({"GET", "big"});
      pipeline += "*2\r\n$3\r\nGET\r\n$3\r\nbi";
      TestConnection leaver(proxy.port());
      ASSERT_TRUE(leaver.connected());
      leaver.send(pipeline.substr(0, pipeline.size() / (round + 1)));
    }
    bystander.send(resp({"PING"}));
    EXPECT_EQ(bystander_reader.frames(1).value_or("<none>"), "+PONG\r\n");
  }
  // The sessions and their backend connections go away: only the bystander (and each
  // check's own connection) remain.
  EXPECT_TRUE(wait_until(
      [&] {
        return info_field(call(proxy.port(), {"PROXY", "INFO"}), "connected_clients") == "2";
      },
      20s))
      << call(proxy.port(), {"PROXY", "INFO"});
  EXPECT_TRUE(wait_until(
      [&] {
        return info_field(call(behind.port(), {"INFO", "clients"}), "connected_clients") == "2";
      },
      20s));
  bystander.send(resp({"GET", "big"}));
  EXPECT_EQ(bystander_reader.frames(1).value_or("<none>").size(), 1024u + 9);
  EXPECT_TRUE(proxy.running());
}

TEST(ProxyBadInput, MasterKilledMidReplyThenBack) {
  const std::string dir = make_temp_dir();
  const int redis_port = free_loopback_port();
  auto redis = start_redis_on(redis_port, dir);
  ProxyProcess proxy(redis_port);
  const std::size_t size = 32 * 1024 * 1024;
  ASSERT_EQ(call(redis_port, {"SET", "big", std::string(size, 'x')}, 20s), "+OK\r\n");

  TestConnection client(proxy.port());
  FrameReader reader(client);
  client.send(resp({"GET", "big"}));
  const std::string first = client.read_at_least(1024 * 1024, 10s);
  ASSERT_GE(first.size(), 1024u * 1024);
  redis->kill();
  // The client sees what had arrived, then the close: never the whole reply, never a hang.
  const auto rest = reader.until_closed(10s);
  ASSERT_TRUE(rest.has_value()) << "the proxy kept the connection open";
  EXPECT_LT(first.size() + rest->size(), size + 15);

  // New clients get the documented error while the master is down...
  EXPECT_EQ(call(proxy.port(), {"PING"}),
            unreachable("mymaster", redis_port, "Connection refused"));
  // ...and are served again once it is back.
  redis = start_redis_on(redis_port, dir);
  EXPECT_TRUE(wait_until([&] { return call(proxy.port(), {"PING"}) == "+PONG\r\n"; }, 10s));
  EXPECT_TRUE(proxy.running()) << proxy.log();
  redis.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

// While the master does not answer, every command of every client fails the same way;
// the log says so about once a second with a count, not once per command.
TEST(ProxyBadInput, AnUnreachableMasterDoesNotFloodTheLog) {
  const int nobody = free_loopback_port();
  ProxyProcess proxy(nobody);
  std::vector<std::unique_ptr<TestConnection>> clients;
  std::vector<std::unique_ptr<FrameReader>> readers;
  for (int c = 0; c < 4; ++c) {
    clients.push_back(std::make_unique<TestConnection>(proxy.port()));
    readers.push_back(std::make_unique<FrameReader>(*clients.back()));
  }
  // One command at a time: each one makes its session try the master again.
  for (int i = 0; i < 200; ++i) {
    for (int c = 0; c < 4; ++c) {
      clients[c]->send(resp({"PING"}));
      ASSERT_TRUE(readers[c]->frames(1).value_or("").starts_with("-ERR sentinel-proxy: master"));
    }
  }
  const std::string log = proxy.log();
  std::size_t lines = 0;
  for (std::size_t at = log.find("unreachable"); at != std::string::npos;
       at = log.find("unreachable", at + 1)) {
    ++lines;
  }
  // 800 commands, each a failed connection attempt: a line a second at most (the test
  // takes well under 30 s even on a busy machine), the rest counted in the next line.
  EXPECT_GE(lines, 1u);
  EXPECT_LE(lines, 30u) << log.size() << " bytes of log";
}

TEST(ProxyBadInput, MasterDownAtConnectGetsTheDocumentedError) {
  const int nobody = free_loopback_port();
  ProxyProcess proxy(nobody, {"--upstream", "127.0.0.1", std::to_string(nobody), "cache"});
  TestConnection client(proxy.port());
  FrameReader reader(client);
  client.send(resp({"PING"}) + resp({"SET", "k", "v"}) + resp({"PROXY", "TOPOLOGY"}) + "GET k\r\n");
  const std::string error = unreachable("cache", nobody, "Connection refused");
  const std::string topology =
      "*8\r\n$5\r\ngroup\r\n$5\r\ncache\r\n$11\r\nmaster-host\r\n$9\r\n"
      "127.0.0.1\r\n$11\r\nmaster-port\r\n:" +
      std::to_string(nobody) + "\r\n$5\r\nepoch\r\n:0\r\n";
  EXPECT_EQ(reader.frames(4).value_or("<none>"), error + error + topology + error);
  const std::string info = call(proxy.port(), {"PROXY", "INFO"});
  EXPECT_EQ(info_field(info, "master_link_status"), "down");
  EXPECT_NE(info_field(info, "backend_connect_failures"), "0");
  client.send(resp({"QUIT"}));
  EXPECT_EQ(reader.until_closed().value_or("<still open>"), "+OK\r\n");
}

TEST(ProxyBadInput, MasterThatNeverAnswersTheConnectTimesOut) {
  // 192.0.2.0/24 is TEST-NET-1: nothing answers there (or the network says so at once).
  ProxyProcess proxy(6379, {"--upstream", "192.0.2.1", "6379", "--connect-timeout", "200"});
  const std::string reply = call(proxy.port(), {"PING"}, 10s);
  EXPECT_TRUE(
      reply.starts_with("-ERR sentinel-proxy: master of 'mymaster' (192.0.2.1:6379) unreachable: "))
      << reply;
  EXPECT_TRUE(reply.ends_with("\r\n"));
}

}  // namespace
}  // namespace sp::testing

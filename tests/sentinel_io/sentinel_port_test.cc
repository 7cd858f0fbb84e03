#include "sentinel/io/port/sentinel_port.h"

#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "protocol/command_table.h"
#include "protocol/writer.h"
#include "tests/support/redis_process.h"

namespace sp::sentinel::io {
namespace {

using namespace std::chrono_literals;

// A port whose handler knows PING and QUIT, run on its own thread for blocking clients.
class PortFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = std::make_unique<SentinelPort>(
        io_.get_executor(),
        [](PortClient& client, std::span<const std::string_view> args, std::string& out) {
          protocol::RespWriter w(out, client.resp);
          if (protocol::iequals(args[0], "ping")) {
            w.simple_string("PONG");
          } else if (protocol::iequals(args[0], "quit")) {
            w.simple_string("OK");
            return AfterReply::kClose;
          } else {
            w.error("ERR unknown command");
          }
          return AfterReply::kKeepOpen;
        });
    port_->listen("127.0.0.1", 0);
    thread_ = std::thread([this] {
      auto guard = asio::make_work_guard(io_);
      io_.run();
    });
  }
  void TearDown() override {
    asio::post(io_, [this] { port_->close(); });
    io_.stop();
    thread_.join();
  }
  void publish(const std::string& channel, const std::string& message) {
    asio::post(io_, [=, this] { port_->publish(channel, message); });
  }

  asio::io_context io_;
  std::unique_ptr<SentinelPort> port_;
  std::thread thread_;
};

// Reads until `expected.size()` bytes came (or a generous deadline passed).
std::string exchange(sp::testing::TestConnection& conn, const std::string& send,
                     std::size_t expect_bytes) {
  conn.send(send);
  return conn.read_at_least(expect_bytes, 5s);
}

TEST_F(PortFixture, PubSubRepliesMatchRedisServerByteForByte) {
  sp::testing::RedisProcess redis;
  sp::testing::TestConnection ours(port_->port()), theirs(redis.port());
  const std::string script =
      "SUBSCRIBE +sdown +odown\r\n"
      "PSUBSCRIBE +*\r\n"
      "PING\r\n"
      "PING hi\r\n"
      "GET x\r\n"
      "UNSUBSCRIBE +sdown\r\n"
      "PUNSUBSCRIBE\r\n"
      "UNSUBSCRIBE\r\n"
      "UNSUBSCRIBE\r\n"
      "PING\r\n";
  theirs.send(script);
  const std::string reference = theirs.read_until_suffix("+PONG\r\n", 5s);
  ASSERT_TRUE(reference.starts_with("*3\r\n$9\r\nsubscribe\r\n"));
  const std::string got = exchange(ours, script, reference.size());
  EXPECT_EQ(got, reference);
}

TEST_F(PortFixture, PublishesToChannelAndPatternSubscribers) {
  sp::testing::TestConnection conn(port_->port());
  conn.send("SUBSCRIBE +switch-master\r\nPSUBSCRIBE +s*\r\n");
  const std::string subscribed = conn.read_until_suffix("+s*\r\n:2\r\n", 5s);
  ASSERT_NE(subscribed.find("psubscribe"), std::string::npos);
  publish("+switch-master", "mymaster 127.0.0.1 6379 127.0.0.1 6380");
  const std::string text = "mymaster 127.0.0.1 6379 127.0.0.1 6380";
  std::string message, pmessage;
  protocol::RespWriter(message)
      .array(3)
      .bulk_string("message")
      .bulk_string("+switch-master")
      .bulk_string(text);
  protocol::RespWriter(pmessage)
      .array(4)
      .bulk_string("pmessage")
      .bulk_string("+s*")
      .bulk_string("+switch-master")
      .bulk_string(text);
  EXPECT_EQ(conn.read_at_least(message.size() + pmessage.size(), 5s), message + pmessage);
}

TEST_F(PortFixture, ProtocolErrorsGetRedisTextAndClose) {
  sp::testing::TestConnection conn(port_->port());
  conn.send("PING\r\n*1\r\n+x\r\n");
  EXPECT_EQ(conn.read_until_closed(5s), "+PONG\r\n-ERR Protocol error: expected '$', got '+'\r\n");
}

TEST_F(PortFixture, QuitRepliesThenCloses) {
  sp::testing::TestConnection conn(port_->port());
  conn.send("QUIT\r\nPING\r\n");
  EXPECT_EQ(conn.read_until_closed(5s), "+OK\r\n");
}

}  // namespace
}  // namespace sp::sentinel::io

#include "sentinel/io/shell/resp_link.h"

#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/redis_process.h"

namespace sp::sentinel::io {
namespace {

using namespace std::chrono_literals;

// Runs the loop until `done()` or a generous deadline; returns whether done() held.
template <class Pred>
bool run_until(asio::io_context& io, Pred done, std::chrono::milliseconds limit = 10s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < end) {
    io.run_for(10ms);
    if (io.stopped()) io.restart();
  }
  return done();
}

std::vector<std::string> words(std::initializer_list<const char*> list) {
  return {list.begin(), list.end()};
}

TEST(RespLink, MatchesRepliesToCommandsInOrder) {
  sp::testing::RedisProcess redis;
  asio::io_context io;
  auto link = RespLink::create(io.get_executor(), "test");
  link->start("127.0.0.1", static_cast<std::uint16_t>(redis.port()), 2s, nullptr, nullptr);
  std::vector<protocol::Value> replies;
  auto keep = [&](const protocol::Value* v) { replies.push_back(v ? *v : protocol::Value{}); };
  link->send(words({"PING"}), keep);
  link->send(words({"SET", "k", "v a l"}), keep);
  link->send(words({"GET", "k"}), keep);
  link->send(words({"GET", "missing"}), keep);
  link->send(words({"NOSUCH"}), keep);
  link->send(words({"LRANGE", "k", "0", "1"}), keep);
  EXPECT_EQ(link->pending(), 6u);
  ASSERT_TRUE(run_until(io, [&] { return replies.size() == 6; }));
  EXPECT_EQ(replies[0].text, "PONG");
  EXPECT_EQ(replies[1].text, "OK");
  EXPECT_EQ(replies[2].text, "v a l");
  EXPECT_TRUE(replies[3].null);
  EXPECT_TRUE(replies[4].is_error());
  EXPECT_EQ(replies[4].text.rfind("ERR unknown command", 0), 0u);
  EXPECT_TRUE(replies[5].is_error());
  EXPECT_EQ(link->pending(), 0u);
  EXPECT_EQ(link->local_ip(), "127.0.0.1");
  link->close();
}

TEST(RespLink, DeliversPubSubMessagesToTheMessageHandler) {
  sp::testing::RedisProcess redis;
  asio::io_context io;
  const auto port = static_cast<std::uint16_t>(redis.port());
  std::vector<std::string> messages;
  auto subscriber = RespLink::create(io.get_executor(), "pubsub");
  subscriber->start(
      "127.0.0.1", port, 2s,
      [&](const protocol::Value& m) { messages.push_back(m.elements.at(2).text); }, nullptr);
  bool subscribed = false;
  subscriber->send(words({"SUBSCRIBE", "__sentinel__:hello"}),
                   [&](const protocol::Value* v) { subscribed = v && !v->is_error(); });
  ASSERT_TRUE(run_until(io, [&] { return subscribed; }));

  auto publisher = RespLink::create(io.get_executor(), "cmd");
  publisher->start("127.0.0.1", port, 2s, nullptr, nullptr);
  std::optional<std::int64_t> receivers;
  publisher->send(words({"PUBLISH", "__sentinel__:hello", "127.0.0.1,26379,abc,0,m,1,2,0"}),
                  [&](const protocol::Value* v) { receivers = v ? v->integer : -1; });
  ASSERT_TRUE(run_until(io, [&] { return !messages.empty(); }));
  EXPECT_EQ(receivers, 1);
  EXPECT_EQ(messages.front(), "127.0.0.1,26379,abc,0,m,1,2,0");
  subscriber->close();
  publisher->close();
}

TEST(RespLink, FailsPendingCommandsAndReportsCloseWhenTheServerDies) {
  std::optional<std::error_code> closed;
  std::vector<bool> got_reply;
  asio::io_context io;
  std::shared_ptr<RespLink> link;
  {
    sp::testing::RedisProcess redis;
    link = RespLink::create(io.get_executor(), "dying");
    link->start("127.0.0.1", static_cast<std::uint16_t>(redis.port()), 2s, nullptr,
                [&](const std::error_code& ec) { closed = ec; });
    bool ponged = false;
    link->send(words({"PING"}), [&](const protocol::Value* v) { ponged = v != nullptr; });
    ASSERT_TRUE(run_until(io, [&] { return ponged; }));
    // Blocks on the server until it is killed at the end of this scope.
    link->send(words({"BLPOP", "nothing", "0"}),
               [&](const protocol::Value* v) { got_reply.push_back(v != nullptr); });
  }
  ASSERT_TRUE(run_until(io, [&] { return closed.has_value(); }));
  EXPECT_EQ(got_reply, std::vector<bool>{false});
  EXPECT_FALSE(link->is_open());
  bool late = true;
  link->send(words({"PING"}), [&](const protocol::Value* v) { late = v != nullptr; });
  ASSERT_TRUE(run_until(io, [&] { return !late; }));
}

TEST(RespLink, ReportsARefusedConnection) {
  const int port = sp::testing::free_loopback_port();
  asio::io_context io;
  std::optional<std::error_code> closed;
  auto link = RespLink::create(io.get_executor(), "refused");
  link->start("127.0.0.1", static_cast<std::uint16_t>(port), 2s, nullptr,
              [&](const std::error_code& ec) { closed = ec; });
  ASSERT_TRUE(run_until(io, [&] { return closed.has_value(); }));
  EXPECT_EQ(*closed, asio::error::connection_refused);
}

}  // namespace
}  // namespace sp::sentinel::io

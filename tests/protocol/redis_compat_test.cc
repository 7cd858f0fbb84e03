// Replays the malformed requests of malformed_requests.h against a live redis-server and
// checks that it answers with exactly the text our RequestParser produces, then closes.

#include <gtest/gtest.h>

#include <chrono>

#include "protocol/request_parser.h"
#include "tests/protocol/malformed_requests.h"
#include "tests/support/redis_process.h"

namespace sp::protocol {
namespace {

TEST(RedisCompat, MalformedRequestsGetRedisOwnErrorText) {
  sp::testing::RedisProcess redis;
  for (const auto& c : testing::malformed_requests()) {
    RequestParser parser;
    std::string_view rest = c.bytes;
    while (true) {
      const ParseResult r = parser.parse(rest);
      if (r.status != ParseStatus::kComplete) break;
      rest.remove_prefix(r.consumed);
    }
    ASSERT_EQ(parser.error_message(), c.message) << c.name;

    sp::testing::TestConnection conn(redis.port());
    ASSERT_TRUE(conn.connected());
    conn.send(c.bytes);
    const std::string reply = conn.read_until_closed(std::chrono::seconds(10));
    const std::string expected_tail = "-ERR " + c.message + "\r\n";
    EXPECT_TRUE(reply.ends_with(expected_tail))
        << c.name << ": redis-server replied " << reply << " expected " << expected_tail;
  }
}

TEST(RedisCompat, UnauthenticatedLimitsAreRedisOwn) {
  sp::testing::RedisProcess redis({"--requirepass", "secret"});
  ProtocolLimits unauthenticated;
  unauthenticated.unauthenticated = true;
  for (const auto& c : testing::unauthenticated_requests()) {
    RequestParser parser(unauthenticated);
    EXPECT_EQ(parser.parse(c.bytes).status, ParseStatus::kError) << c.name;
    EXPECT_EQ(parser.error_message(), c.message) << c.name;
    if (c.message.find("unauthenticated") != std::string::npos) {
      RequestParser authenticated;
      EXPECT_NE(authenticated.parse(c.bytes).status, ParseStatus::kError)
          << c.name << " is refused only before authentication";
    }

    sp::testing::TestConnection conn(redis.port());
    conn.send(c.bytes);
    const std::string reply = conn.read_until_closed(std::chrono::seconds(10));
    EXPECT_EQ(reply, "-ERR " + c.message + "\r\n") << c.name;
  }
  for (const std::string& bytes : testing::unauthenticated_requests_at_the_limits()) {
    RequestParser parser(unauthenticated);
    EXPECT_EQ(parser.parse(bytes).status, ParseStatus::kComplete);
    sp::testing::TestConnection conn(redis.port());
    conn.send(bytes);
    EXPECT_EQ(conn.read_until_suffix("\r\n", std::chrono::seconds(10)),
              "-NOAUTH Authentication required.\r\n");
  }
}

}  // namespace
}  // namespace sp::protocol

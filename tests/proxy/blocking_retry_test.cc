#include "proxy/session/blocking_retry.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/writer.h"

namespace sp::proxy {
namespace {

using namespace std::chrono_literals;

std::string command(const std::vector<std::string_view>& args) {
  std::string out;
  protocol::RespWriter(out).command(args);
  return out;
}

TEST(BlockingRetry, KnowsTheCommandsBlockedOnKeys) {
  for (const char* name : {"BLPOP", "brpop", "BZPOPMIN", "bzpopmax", "BLMOVE", "brpoplpush",
                           "BLMPOP", "bzmpop", "XREAD", "xreadgroup"}) {
    EXPECT_TRUE(is_key_blocking_command(name)) << name;
  }
  for (const char* name : {"WAIT", "GET", "LPOP", "SUBSCRIBE", "BLPOPX"}) {
    EXPECT_FALSE(is_key_blocking_command(name)) << name;
  }
  EXPECT_TRUE(is_key_blocking_request("BLPOP q 0\r\n"));  // inline
  EXPECT_TRUE(is_key_blocking_request(command({"xread", "BLOCK", "0", "STREAMS", "s", "$"})));
  EXPECT_FALSE(is_key_blocking_request(command({"WAIT", "1", "0"})));
  EXPECT_FALSE(is_key_blocking_request(""));
}

TEST(BlockingRetry, TakesTheTimeAlreadyWaitedOffTheTimeout) {
  EXPECT_EQ(with_remaining_timeout(command({"BLPOP", "a", "b", "10"}), 2500ms),
            command({"BLPOP", "a", "b", "7.500"}));
  EXPECT_EQ(with_remaining_timeout("brpop q 1.5\r\n", 250ms), command({"brpop", "q", "1.250"}));
  EXPECT_EQ(with_remaining_timeout(command({"BLMOVE", "s", "d", "LEFT", "RIGHT", "3"}), 1ms),
            command({"BLMOVE", "s", "d", "LEFT", "RIGHT", "2.999"}));
  EXPECT_EQ(with_remaining_timeout(command({"BZMPOP", "5", "1", "z", "MIN"}), 1000ms),
            command({"BZMPOP", "4.000", "1", "z", "MIN"}));
  EXPECT_EQ(
      with_remaining_timeout(
          command({"XREADGROUP", "GROUP", "g", "c", "BLOCK", "2000", "STREAMS", "s", ">"}), 500ms),
      command({"XREADGROUP", "GROUP", "g", "c", "BLOCK", "1500", "STREAMS", "s", ">"}));
}

// 0 means "forever" to Redis, so a timeout that ran out becomes the shortest one there
// is, never 0: Redis then answers with its own timeout reply.
TEST(BlockingRetry, NeverTurnsAnElapsedTimeoutIntoForever) {
  EXPECT_EQ(with_remaining_timeout(command({"BLPOP", "q", "1"}), 5000ms),
            command({"BLPOP", "q", "0.001"}));
  EXPECT_EQ(with_remaining_timeout(command({"XREAD", "BLOCK", "10", "STREAMS", "s", "0"}), 20ms),
            command({"XREAD", "BLOCK", "1", "STREAMS", "s", "0"}));
}

TEST(BlockingRetry, LeavesAloneWhatNeedsNoChange) {
  EXPECT_FALSE(with_remaining_timeout(command({"BLPOP", "q", "0"}), 5000ms));
  EXPECT_FALSE(with_remaining_timeout(command({"XREAD", "STREAMS", "s", "0"}), 5000ms));
  EXPECT_FALSE(with_remaining_timeout(command({"BLPOP", "q", "-1"}), 10ms));    // refused
  EXPECT_FALSE(with_remaining_timeout(command({"BLPOP", "q", "soon"}), 10ms));  // refused
  EXPECT_FALSE(with_remaining_timeout(command({"GET", "k"}), 10ms));
  // "block" after STREAMS is a stream's name, not the option.
  EXPECT_FALSE(with_remaining_timeout(command({"XREAD", "STREAMS", "block", "5", "0", "0"}), 1ms));
}

TEST(BlockingRetry, RetimesOnlyTheBlockingCommandsOfABatch) {
  RetryBatch batch;
  const auto start = Clock::now();
  for (const std::string& bytes :
       {command({"SET", "k", "v"}), command({"BLPOP", "q", "4"}), command({"GET", "k"})}) {
    batch.requests += bytes;
    batch.commands.push_back(
        {start, 0, static_cast<std::uint32_t>(bytes.size()), false, LateReply::kRanTooLate});
  }
  retime_blocking_commands(batch, start + 1s);
  EXPECT_EQ(batch.requests,
            command({"SET", "k", "v"}) + command({"BLPOP", "q", "3.000"}) + command({"GET", "k"}));
  EXPECT_EQ(batch.commands[1].length, command({"BLPOP", "q", "3.000"}).size());
}

}  // namespace
}  // namespace sp::proxy

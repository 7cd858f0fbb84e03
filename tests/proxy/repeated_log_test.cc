// A line a fault repeats for every command is written once per period, with the count of
// those left out.

#include "proxy/config/repeated_log.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace sp::proxy {
namespace {

using std::chrono::milliseconds;
const RepeatedLog::Clock::time_point t0{std::chrono::hours(5)};

TEST(RepeatedLog, OnceAPeriodWithTheCountLeftOut) {
  RepeatedLog log(milliseconds(1000));
  std::uint64_t left_out = 99;
  EXPECT_TRUE(log.admit(t0, left_out));
  EXPECT_EQ(left_out, 0u);
  for (int i = 1; i <= 500; ++i) EXPECT_FALSE(log.admit(t0 + milliseconds(i), left_out));
  EXPECT_FALSE(log.admit(t0 + milliseconds(999), left_out));
  EXPECT_TRUE(log.admit(t0 + milliseconds(1000), left_out));
  EXPECT_EQ(left_out, 501u);
  // Quiet for a while: the next one is written at once and left nothing out.
  EXPECT_TRUE(log.admit(t0 + milliseconds(60000), left_out));
  EXPECT_EQ(left_out, 0u);
}

// Workers share one: of many threads at the same instant, one writes and the others are
// counted.
TEST(RepeatedLog, SharedByThreads) {
  RepeatedLog log(milliseconds(1000));
  std::atomic<int> written{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::uint64_t left_out = 0;
      for (int i = 0; i < 1000; ++i) {
        if (log.admit(t0 + milliseconds(1), left_out)) ++written;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(written.load(), 1);
  std::uint64_t left_out = 0;
  EXPECT_TRUE(log.admit(t0 + milliseconds(1001), left_out));
  EXPECT_EQ(left_out, 3999u);
}

}  // namespace
}  // namespace sp::proxy

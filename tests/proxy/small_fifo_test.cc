// SmallFifo: the queue sessions keep their pending replies in costs nothing until used,
// keeps order through compaction, and gives back what a long pipeline made it hold.

#include "common/small_fifo.h"

#include <gtest/gtest.h>

#include <string>

namespace sp {
namespace {

TEST(SmallFifo, KeepsOrderThroughCompactionAndFrontInsertion) {
  SmallFifo<std::string> fifo;
  EXPECT_TRUE(fifo.empty());
  int next_in = 0;
  int next_out = 0;
  // Interleaved pushes and pops, so that the consumed front is reclaimed many times.
  for (int round = 0; round < 1000; ++round) {
    for (int i = 0; i < 3; ++i) fifo.push_back(std::to_string(next_in++));
    for (int i = 0; i < 2; ++i) {
      ASSERT_EQ(fifo.front(), std::to_string(next_out++));
      fifo.pop_front();
    }
  }
  EXPECT_EQ(fifo.size(), static_cast<std::size_t>(next_in - next_out));
  EXPECT_EQ(fifo[1], std::to_string(next_out + 1));
  EXPECT_EQ(fifo.back(), std::to_string(next_in - 1));
  fifo.emplace_front() = "first";
  EXPECT_EQ(fifo.front(), "first");
  fifo.pop_front();
  int seen = next_out;
  for (const std::string& s : fifo) EXPECT_EQ(s, std::to_string(seen++));
  EXPECT_EQ(seen, next_in);
}

TEST(SmallFifo, EmptiedAfterALongPipelineItHoldsNoMoreThanItKeeps) {
  SmallFifo<int> fifo;
  EXPECT_EQ(fifo.capacity(), 0u);  // nothing allocated until used
  for (int i = 0; i < 100'000; ++i) fifo.push_back(i);
  for (int i = 0; i < 100'000; ++i) {
    ASSERT_EQ(fifo.front(), i);
    fifo.pop_front();
  }
  EXPECT_TRUE(fifo.empty());
  EXPECT_LE(fifo.capacity(), SmallFifo<int>::kKeepCapacity);
  fifo.emplace_front() = 7;  // on an emptied queue, too
  EXPECT_EQ(fifo.size(), 1u);
  EXPECT_EQ(fifo.front(), 7);
}

}  // namespace
}  // namespace sp

#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

#include "proxy/metrics/worker_stats.h"

namespace sp::proxy {

// A receive buffer: [begin, end) holds unconsumed bytes, reads append after end. It starts
// small (an idle connection keeps its pending read's buffer, so that is what an idle
// client costs), doubles when reads fill it, and goes back to its initial size once
// emptied after a large frame. Its capacity is reported to the worker's buffer gauge.
class IoBuffer {
 public:
  static constexpr std::size_t kInitialSize = 1024;
  static constexpr std::size_t kMaxReadSize = 64 * 1024;
  // Emptied buffers larger than this are released back to kInitialSize.
  static constexpr std::size_t kShrinkAbove = 256 * 1024;

  explicit IoBuffer(StatCounter& gauge) : gauge_(gauge) {}
  ~IoBuffer() { gauge_.add(-static_cast<std::int64_t>(capacity_)); }
  IoBuffer(const IoBuffer&) = delete;
  IoBuffer& operator=(const IoBuffer&) = delete;

  std::string_view data() const { return {data_.get() + begin_, end_ - begin_}; }
  std::size_t size() const { return end_ - begin_; }
  std::size_t capacity() const { return capacity_; }

  // Room for the next read: at least `min_room` bytes (grows or compacts as needed).
  std::span<char> prepare(std::size_t min_room = 1);
  // A read put `n` bytes at the start of the last prepare()'s span.
  void commit(std::size_t n);
  // The first `n` unconsumed bytes are done with.
  void consume(std::size_t n);
  // Copies `bytes` in after the unconsumed ones.
  void append(std::string_view bytes);

 private:
  void reallocate(std::size_t new_capacity);

  StatCounter& gauge_;
  std::unique_ptr<char[]> data_;
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::size_t next_read_ = kInitialSize;  // grows while reads fill what they are given
  bool last_read_full_ = false;
};

}  // namespace sp::proxy

#include "proxy/session/io_buffer.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace sp::proxy {

std::span<char> IoBuffer::prepare(std::size_t min_room) {
  if (last_read_full_ && next_read_ < kMaxReadSize) next_read_ *= 2;
  last_read_full_ = false;
  const std::size_t want = std::max(min_room, next_read_);
  if (capacity_ - end_ < want) {
    const std::size_t used = end_ - begin_;
    if (capacity_ >= used + want && begin_ > 0) {
      std::memmove(data_.get(), data_.get() + begin_, used);
      begin_ = 0;
      end_ = used;
    } else {
      reallocate(std::max(capacity_ * 2, used + want));
    }
  }
  return {data_.get() + end_, capacity_ - end_};
}

void IoBuffer::commit(std::size_t n) {
  last_read_full_ = n == capacity_ - end_;
  end_ += n;
}

void IoBuffer::consume(std::size_t n) {
  assert(n <= size());  // more would wrap size(): someone consumed under a framing pass
  begin_ += n;
  if (begin_ != end_) return;
  begin_ = end_ = 0;
  if (capacity_ > kShrinkAbove) {
    next_read_ = kInitialSize;
    reallocate(kInitialSize);
  }
}

void IoBuffer::append(std::string_view bytes) {
  if (bytes.empty()) return;  // an idle buffer stays unallocated
  const auto room = prepare(bytes.size());
  std::memcpy(room.data(), bytes.data(), bytes.size());
  commit(bytes.size());
}

void IoBuffer::reallocate(std::size_t new_capacity) {
  const std::size_t used = end_ - begin_;
  std::unique_ptr<char[]> fresh(new char[new_capacity]);
  if (used > 0) std::memcpy(fresh.get(), data_.get() + begin_, used);
  data_ = std::move(fresh);
  gauge_.add(static_cast<std::int64_t>(new_capacity) - static_cast<std::int64_t>(capacity_));
  capacity_ = new_capacity;
  begin_ = 0;
  end_ = used;
}

}  // namespace sp::proxy

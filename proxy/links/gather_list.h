#pragma once

#include <cstddef>
#include <vector>

#include <asio/buffer.hpp>

namespace sp::proxy {

// Drops the first `n` bytes of a gather list (what Stream::write_now already sent).
inline void drop_prefix(std::vector<asio::const_buffer>& buffers, std::size_t n) {
  auto it = buffers.begin();
  while (it != buffers.end() && n >= it->size()) {
    n -= it->size();
    ++it;
  }
  buffers.erase(buffers.begin(), it);
  if (n > 0 && !buffers.empty()) buffers.front() += n;
}

}  // namespace sp::proxy

#pragma once

#include <cstddef>
#include <system_error>
#include <vector>

#include <asio/buffer.hpp>
#include <asio/error.hpp>

namespace sp::proxy {

// Writes what the socket takes at once, without waiting (the socket is in non-blocking
// mode): a request batch that fits the kernel's buffer then costs one send and no trip
// through the event loop. Returns the bytes written; `ec` is set for a failure other than
// a full buffer.
template <typename Socket, typename Buffers>
std::size_t write_now(Socket& socket, const Buffers& buffers, std::error_code& ec) {
  const std::size_t n = socket.write_some(buffers, ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    ec.clear();
    return 0;
  }
  return n;
}

// Drops the first `n` bytes of a gather list (what write_now already sent).
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

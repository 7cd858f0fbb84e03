#pragma once

#include <chrono>
#include <span>
#include <system_error>
#include <utility>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "common/tls/stream.h"

namespace sp::tls {
class TlsStore;
}

namespace sp::proxy {

// Connects `stream` to `endpoint`, giving up after `timeout` (asio::error::timed_out).
// With `tls` that connects (tls-replication yes) the TLS handshake follows, within the same
// `timeout`, and is counted there. On success the socket has TCP_NODELAY set; on failure
// it is closed.
asio::awaitable<std::error_code> connect_with_timeout(Stream& stream,
                                                      const asio::ip::tcp::endpoint& endpoint,
                                                      std::chrono::milliseconds timeout,
                                                      tls::TlsStore* tls);

// One read into `room` that gives up at `deadline` (asio::error::timed_out); the stream
// stays open either way. Returns the error and the bytes read.
asio::awaitable<std::pair<std::error_code, std::size_t>> read_some_until(
    Stream& stream, std::span<char> room, std::chrono::steady_clock::time_point deadline);

}  // namespace sp::proxy

#pragma once

#include <chrono>
#include <system_error>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

namespace sp::proxy {

// Connects `socket` to `endpoint`, giving up after `timeout` (asio::error::timed_out).
// On success the socket has TCP_NODELAY set; on failure it is closed.
asio::awaitable<std::error_code> connect_with_timeout(asio::ip::tcp::socket& socket,
                                                      const asio::ip::tcp::endpoint& endpoint,
                                                      std::chrono::milliseconds timeout);

}  // namespace sp::proxy

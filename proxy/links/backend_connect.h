#pragma once

#include <chrono>
#include <span>
#include <system_error>
#include <utility>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

namespace sp::proxy {

// Connects `socket` to `endpoint`, giving up after `timeout` (asio::error::timed_out).
// On success the socket has TCP_NODELAY set; on failure it is closed.
asio::awaitable<std::error_code> connect_with_timeout(asio::ip::tcp::socket& socket,
                                                      const asio::ip::tcp::endpoint& endpoint,
                                                      std::chrono::milliseconds timeout);

// One read into `room` that gives up at `deadline` (asio::error::timed_out); the socket
// stays open either way. Returns the error and the bytes read.
asio::awaitable<std::pair<std::error_code, std::size_t>> read_some_until(
    asio::ip::tcp::socket& socket, std::span<char> room,
    std::chrono::steady_clock::time_point deadline);

}  // namespace sp::proxy

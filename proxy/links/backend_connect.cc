#include "proxy/links/backend_connect.h"

#include <variant>

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>

#include "common/asio_util.h"

namespace sp::proxy {

// The only file with awaitable_operators (slow to compile): socket operations raced against
// a timer.
asio::awaitable<std::error_code> connect_with_timeout(asio::ip::tcp::socket& socket,
                                                      const asio::ip::tcp::endpoint& endpoint,
                                                      std::chrono::milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
  auto result =
      co_await (socket.async_connect(endpoint, use_nothrow) || timer.async_wait(use_nothrow));
  std::error_code ec = result.index() == 0 ? std::get<0>(std::get<0>(result))
                                           : std::error_code(asio::error::timed_out);
  if (!ec) {
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
  }
  if (ec) {
    std::error_code ignored;
    socket.close(ignored);
  }
  co_return ec;
}

asio::awaitable<std::pair<std::error_code, std::size_t>> read_some_until(
    asio::ip::tcp::socket& socket, std::span<char> room,
    std::chrono::steady_clock::time_point deadline) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  auto result =
      co_await (socket.async_read_some(asio::buffer(room.data(), room.size()), use_nothrow) ||
                timer.async_wait(use_nothrow));
  if (result.index() == 1) co_return std::pair{std::error_code(asio::error::timed_out), 0};
  auto [ec, n] = std::get<0>(result);
  co_return std::pair{ec, n};
}

}  // namespace sp::proxy

#include "proxy/links/backend_connect.h"

#include <variant>

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>

#include "common/asio_util.h"
#include "common/tls/tls_store.h"

namespace sp::proxy {

// The only file of the proxy with awaitable_operators (slow to compile): socket operations
// raced against a timer.
asio::awaitable<std::error_code> connect_with_timeout(Stream& stream,
                                                      const asio::ip::tcp::endpoint& endpoint,
                                                      std::chrono::milliseconds timeout,
                                                      tls::TlsStore* tls) {
  using namespace asio::experimental::awaitable_operators;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::error_code ignored;
  stream.close(ignored);  // a connection made again starts in the clear
  auto& socket = stream.socket();
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  auto result =
      co_await (socket.async_connect(endpoint, use_nothrow) || timer.async_wait(use_nothrow));
  std::error_code ec = result.index() == 0 ? std::get<0>(std::get<0>(result))
                                           : std::error_code(asio::error::timed_out);
  if (!ec) socket.set_option(asio::ip::tcp::no_delay(true), ec);
  if (!ec && tls != nullptr && tls->connects()) {
    ec = co_await stream.connect_tls(*tls, deadline);
  }
  if (ec) stream.close(ignored);
  co_return ec;
}

asio::awaitable<std::pair<std::error_code, std::size_t>> read_some_until(
    Stream& stream, std::span<char> room, std::chrono::steady_clock::time_point deadline) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  auto result = co_await (stream.read_some(asio::buffer(room.data(), room.size())) ||
                          timer.async_wait(use_nothrow));
  if (result.index() == 1) co_return std::pair{std::error_code(asio::error::timed_out), 0};
  auto [ec, n] = std::get<0>(result);
  co_return std::pair{ec, n};
}

}  // namespace sp::proxy

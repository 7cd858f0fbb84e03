#include "common/tls/stream.h"

#include <openssl/ssl.h>

#include <variant>

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/error.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>

#include "common/tls/tls_store.h"

namespace sp {

namespace {

// A joined gather write larger than this is not kept for the next one.
constexpr std::size_t kKeepJoinedBelow = 256 * 1024;

}  // namespace

class TlsLayer {
 public:
  TlsLayer(asio::ip::tcp::socket socket, std::shared_ptr<asio::ssl::context> context)
      : context_(std::move(context)), stream(std::move(socket), *context_) {}

 private:
  std::shared_ptr<asio::ssl::context> context_;  // before `stream`, which uses it

 public:
  asio::ssl::stream<asio::ip::tcp::socket> stream;
  std::string joined;  // a gather write's buffers, joined into one record
};

asio::ip::tcp::socket& Stream::tls_socket(TlsLayer& layer) {
  return layer.stream.next_layer();
}

Stream::Stream(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}
Stream::Stream(const asio::any_io_executor& executor) : socket_(executor) {}
Stream::~Stream() = default;

asio::awaitable<std::error_code> Stream::accept_tls(tls::TlsStore& store,
                                                    Clock::time_point deadline) {
  return handshake(store, true, deadline);
}

asio::awaitable<std::error_code> Stream::connect_tls(tls::TlsStore& store,
                                                     Clock::time_point deadline) {
  return handshake(store, false, deadline);
}

asio::awaitable<std::error_code> Stream::handshake(tls::TlsStore& store, bool as_server,
                                                   Clock::time_point deadline) {
  using namespace asio::experimental::awaitable_operators;
  // The socket moves into the layer; socket_ is left a new one, for the next connect.
  auto layer =
      std::make_shared<TlsLayer>(std::move(socket_), as_server ? store.server() : store.client());
  tls_ = layer;
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  const auto type = as_server ? asio::ssl::stream_base::server : asio::ssl::stream_base::client;
  auto result =
      co_await (layer->stream.async_handshake(type, use_nothrow) || timer.async_wait(use_nothrow));
  std::error_code ec = result.index() == 0 ? std::get<0>(std::get<0>(result))
                                           : std::error_code(asio::error::timed_out);
  store.count_handshake(ec);
  if (ec) {
    std::error_code ignored;
    layer->stream.next_layer().close(ignored);
  }
  co_return ec;
}

asio::awaitable<Stream::Result> Stream::tls_read_some(std::shared_ptr<TlsLayer> layer,
                                                      asio::mutable_buffer buffer) {
  auto [ec, n] = co_await layer->stream.async_read_some(buffer, use_nothrow);
  // A peer that closes without close_notify (redis-cli, Redis itself) has simply gone.
  if (ec == asio::ssl::error::stream_truncated) ec = asio::error::eof;
  co_return Result{ec, n};
}

asio::awaitable<Stream::Result> Stream::tls_write_one(std::shared_ptr<TlsLayer> layer,
                                                      asio::const_buffer buffer) {
  co_return co_await asio::async_write(layer->stream, buffer, use_nothrow);
}

asio::awaitable<Stream::Result> Stream::tls_write_all(std::shared_ptr<TlsLayer> layer,
                                                      std::vector<asio::const_buffer> buffers) {
  if (buffers.size() == 1) co_return co_await tls_write_one(std::move(layer), buffers.front());
  layer->joined.clear();
  for (const auto& buffer : buffers) {
    layer->joined.append(static_cast<const char*>(buffer.data()), buffer.size());
  }
  auto result = co_await asio::async_write(layer->stream, asio::buffer(layer->joined), use_nothrow);
  if (layer->joined.capacity() > kKeepJoinedBelow) std::string().swap(layer->joined);
  co_return result;
}

std::size_t Stream::available(std::error_code& ec) const {
  const std::size_t raw = socket().available(ec);
  if (!tls_) return raw;
  const int pending = SSL_pending(tls_->stream.native_handle());
  return raw + static_cast<std::size_t>(pending > 0 ? pending : 0);
}

void Stream::close(std::error_code& ec) {
  if (tls_) {
    // Operations still under way keep the layer, and its closed socket, to themselves.
    tls_->stream.next_layer().close(ec);
    tls_.reset();
    return;  // socket_ is a new one, never opened
  }
  socket_.close(ec);
}

}  // namespace sp

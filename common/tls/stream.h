#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <system_error>
#include <tuple>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include "common/asio_util.h"

namespace sp {

namespace tls {
class TlsStore;
}

// The TLS state of one connection (stream.cc): an OpenSSL session over the connection's
// socket, which it owns once the handshake begins, kept alive by each operation in
// progress. Closing the Stream (or connecting it again) never pulls either from under an
// operation, and an operation of an old connection can never read from a new one.
class TlsLayer;

// One TCP connection, in the clear or with TLS: what every connection of the process (the
// clients', the master links', the sentinel's) reads and writes through. In the clear each
// operation is the socket's own, with nothing added; with TLS it goes through OpenSSL.
// The socket stays reachable for what TLS does not change (options, close, shutdown,
// addresses).
class Stream {
 public:
  using Result = std::tuple<std::error_code, std::size_t>;
  using Clock = std::chrono::steady_clock;

  explicit Stream(asio::ip::tcp::socket socket);
  explicit Stream(const asio::any_io_executor& executor);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // The connection's socket (the TLS layer's once the handshake began): for options,
  // addresses, shutdown; reads and writes go through the Stream.
  asio::ip::tcp::socket& socket() { return tls_ ? tls_socket(*tls_) : socket_; }
  const asio::ip::tcp::socket& socket() const { return tls_ ? tls_socket(*tls_) : socket_; }
  asio::any_io_executor get_executor() { return socket_.get_executor(); }

  // The TLS handshake over the connected socket with the context `store` holds now, as the
  // server (a client of a TLS port) or as the client (a link to a TLS server: its
  // certificate is checked against the CA), given up at `deadline`
  // (asio::error::timed_out), and counted in `store`. On failure the socket is closed.
  asio::awaitable<std::error_code> accept_tls(tls::TlsStore& store, Clock::time_point deadline);
  asio::awaitable<std::error_code> connect_tls(tls::TlsStore& store, Clock::time_point deadline);

  // A peer's end of stream reads as asio::error::eof in both cases (TLS without its
  // close_notify included, as Redis reads it).
  asio::awaitable<Result> read_some(asio::mutable_buffer buffer) {
    if (!tls_) return socket_.async_read_some(buffer, use_nothrow);
    return tls_read_some(tls_, buffer);
  }
  asio::awaitable<Result> write_all(asio::const_buffer buffer) {
    if (!tls_) return asio::async_write(socket_, buffer, use_nothrow);
    return tls_write_one(tls_, buffer);
  }
  // With TLS the buffers are joined first: one record, one send, rather than one per buffer.
  asio::awaitable<Result> write_all(const std::vector<asio::const_buffer>& buffers) {
    if (!tls_) return asio::async_write(socket_, buffers, use_nothrow);
    return tls_write_all(tls_, buffers);
  }
  // What the socket takes at once without waiting (write_now): in the clear only; with TLS
  // nothing (0, no error), since a record OpenSSL made must be sent whole.
  template <typename Buffers>
  std::size_t write_now(const Buffers& buffers, std::error_code& ec) {
    if (tls_) return 0;
    const std::size_t n = socket_.write_some(buffers, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      ec.clear();
      return 0;
    }
    return n;
  }
  // Bytes that can be read without waiting, decrypted ones included (a TLS record only
  // partly received counts as what arrived of it).
  std::size_t available(std::error_code& ec) const;
  // Closes the connection; a later connect starts in the clear again, on a new socket.
  void close(std::error_code& ec);

 private:
  static asio::awaitable<Result> tls_read_some(std::shared_ptr<TlsLayer> layer,
                                               asio::mutable_buffer buffer);
  static asio::awaitable<Result> tls_write_one(std::shared_ptr<TlsLayer> layer,
                                               asio::const_buffer buffer);
  static asio::awaitable<Result> tls_write_all(std::shared_ptr<TlsLayer> layer,
                                               std::vector<asio::const_buffer> buffers);
  asio::awaitable<std::error_code> handshake(tls::TlsStore& store, bool as_server,
                                             Clock::time_point deadline);
  static asio::ip::tcp::socket& tls_socket(TlsLayer& layer);

  asio::ip::tcp::socket socket_;   // in the clear, or not connected
  std::shared_ptr<TlsLayer> tls_;  // owns the connection's socket once TLS began
};

}  // namespace sp

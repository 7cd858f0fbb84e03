#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "common/tls/stream.h"
#include "protocol/reply_parser.h"
#include "protocol/value.h"

namespace sp::tls {
class TlsStore;
}

namespace sp::proxy {

// A connection for the proxy's own questions to a server (sentinel queries, ROLE checks,
// a sentinel subscription): a command out, a reply decoded, every wait bounded by a
// deadline. Never on the data path, where frames are forwarded as bytes. Errors are values:
// an error reply is a Value (is_error()), a broken or silent link an error_code.
class ControlLink {
 public:
  using Clock = std::chrono::steady_clock;

  // `tls`: the process's TLS contexts; the link uses TLS when they connect (tls-replication).
  explicit ControlLink(asio::any_io_executor executor, tls::TlsStore* tls = nullptr);

  // Resolves `host` (unless it is an address) and connects, within `timeout` (the TLS
  // handshake included).
  asio::awaitable<std::error_code> connect(const std::string& host, std::uint16_t port,
                                           std::chrono::milliseconds timeout);

  // A command as bytes (RESP2 array of bulk strings). Built in a statement of its own:
  // GCC 12 cannot keep a braced list alive across a co_await in the same expression.
  static std::string command(std::initializer_list<std::string_view> args);

  // Sends `command`'s bytes without waiting for the reply.
  asio::awaitable<std::error_code> send(std::string bytes);

  // The next reply or pushed message; asio::error::timed_out when none is complete at
  // `deadline` (what arrived stays buffered for the next call).
  asio::awaitable<std::pair<std::error_code, protocol::Value>> next_value(
      Clock::time_point deadline);

  // send() then next_value().
  asio::awaitable<std::pair<std::error_code, protocol::Value>> call(std::string bytes,
                                                                    Clock::time_point deadline);

  // AUTH with `user` (may be empty) and `pass`; nothing when `pass` is empty. An error
  // reply comes back as asio::error::access_denied.
  asio::awaitable<std::error_code> authenticate(const std::string& user, const std::string& pass,
                                                Clock::time_point deadline);

  // The connected peer's address ("" when not connected).
  std::string remote_ip() const;
  void close();

 private:
  Stream stream_;
  tls::TlsStore* tls_;
  std::string in_;
  protocol::ReplyParser parser_;
};

}  // namespace sp::proxy

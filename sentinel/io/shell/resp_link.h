#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <system_error>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "common/tls/stream.h"
#include "protocol/value.h"

struct redisReader;

namespace sp::tls {
class TlsStore;
}

namespace sp::sentinel::io {

// One connection from the engine's shell to a Redis instance or a peer sentinel:
// commands are formatted by hiredis's redisFormatCommandArgv and replies read by
// hiredis's reader (RESP2, as Sentinel itself reads them), then handed over as owned
// protocol::Value trees. Replies are matched to commands in order; on a link that has
// subscribed, "message"/"pmessage" pushes go to the message handler instead.
//
// Lives on one executor (the engine's thread) and is owned by a shared_ptr that its
// reader and writer coroutines hold too, so it stays alive until both have finished.
class RespLink : public std::enable_shared_from_this<RespLink> {
 public:
  // nullptr when the link closed before the reply came.
  using ReplyHandler = std::function<void(const protocol::Value*)>;
  using MessageHandler = std::function<void(const protocol::Value&)>;
  using CloseHandler = std::function<void(const std::error_code&)>;

  static std::shared_ptr<RespLink> create(asio::any_io_executor executor, std::string name);
  ~RespLink();
  RespLink(const RespLink&) = delete;
  RespLink& operator=(const RespLink&) = delete;

  // Starts connecting; commands sent before the connection is up are queued and written
  // once it is. `on_close` runs once, when the link fails or is closed. With `tls` that
  // connects (tls-replication yes, as redis-sentinel) the link is TLS, the handshake
  // within `connect_timeout` too.
  void start(std::string host, std::uint16_t port, std::chrono::milliseconds connect_timeout,
             MessageHandler on_message, CloseHandler on_close, tls::TlsStore* tls = nullptr);
  void send(std::span<const std::string> args, ReplyHandler on_reply);
  void close();

  bool is_open() const { return !closed_; }
  // Commands sent whose reply has not come yet.
  std::size_t pending() const { return handlers_.size(); }
  // The local address of the connection (what a sentinel announces when announce-ip
  // is not set); empty before the connection is up.
  std::string local_ip() const;
  const std::string& name() const { return name_; }

 private:
  RespLink(asio::any_io_executor executor, std::string name);
  static asio::awaitable<void> run(std::shared_ptr<RespLink> self, std::string host,
                                   std::uint16_t port, std::chrono::milliseconds timeout,
                                   tls::TlsStore* tls);
  static asio::awaitable<void> write_loop(std::shared_ptr<RespLink> self);
  asio::awaitable<void> read_loop();
  void dispatch(const protocol::Value& reply);
  void fail(const std::error_code& ec);

  Stream stream_;
  asio::steady_timer wake_writer_;
  std::string name_;
  std::string outbox_;
  std::deque<ReplyHandler> handlers_;
  MessageHandler on_message_;
  CloseHandler on_close_;
  redisReader* reader_;
  bool connected_ = false;
  bool closed_ = false;
};

}  // namespace sp::sentinel::io

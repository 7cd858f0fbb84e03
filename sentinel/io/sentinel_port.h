#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include <asio/any_io_executor.hpp>
#include <asio/ip/tcp.hpp>

#include "protocol/writer.h"

namespace sp::sentinel::io {

// What a command handler may read and change about one client of the sentinel port.
struct PortClient {
  std::uint64_t id = 0;
  std::string name;     // CLIENT SETNAME
  std::string address;  // "ip:port" of the peer
  protocol::RespVersion resp = protocol::RespVersion::kResp2;
  bool authenticated = true;
  std::set<std::string, std::less<>> channels;  // SUBSCRIBE, kept by the port
  std::set<std::string, std::less<>> patterns;  // PSUBSCRIBE, kept by the port
};

enum class AfterReply : std::uint8_t { kKeepOpen, kClose };

// The sentinel port's network half: accepts clients, frames their requests with the
// protocol parser (Redis's own error texts for bad bytes), hands each command to a
// handler, and owns Pub/Sub (SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE, PUNSUBSCRIBE, and PING in
// subscribed mode) so that engine events can be published to subscribers. Runs on the
// engine's executor; not thread-safe.
class SentinelPort {
 public:
  // Appends the reply to `out` in the client's RESP version.
  using CommandHandler =
      std::function<AfterReply(PortClient&, std::span<const std::string_view>, std::string& out)>;

  SentinelPort(asio::any_io_executor executor, CommandHandler handler);
  ~SentinelPort();
  SentinelPort(const SentinelPort&) = delete;
  SentinelPort& operator=(const SentinelPort&) = delete;

  // Binds and starts accepting. Throws std::system_error when the address is taken:
  // this happens at start-up only.
  void listen(const std::string& bind, std::uint16_t port);
  // Clients accepted from now on must AUTH first (requirepass).
  void require_auth(bool required) { requires_auth_ = required; }
  std::uint16_t port() const;

  // Sends a "message" (and "pmessage" for each matching pattern) to every subscriber.
  void publish(std::string_view channel, std::string_view message);
  std::size_t clients() const;
  void close();

  class Session;

 private:
  void accept_loop_start();

  asio::any_io_executor executor_;
  asio::ip::tcp::acceptor acceptor_;
  CommandHandler handler_;
  std::list<std::weak_ptr<Session>> sessions_;
  std::uint64_t next_client_id_ = 1;
  bool requires_auth_ = false;
};

}  // namespace sp::sentinel::io

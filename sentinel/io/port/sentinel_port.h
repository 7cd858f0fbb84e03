#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/ip/tcp.hpp>

#include "protocol/writer.h"
#include "sentinel/io/port/port_client.h"

namespace sp::tls {
class TlsStore;
}

namespace sp::sentinel::io {

// The sentinel port's network half: accepts clients, frames their requests with the
// protocol parser (Redis's own error texts for bad bytes), hands each command to a
// handler, and owns Pub/Sub (SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE, PUNSUBSCRIBE, and PING in
// subscribed mode) so that engine events can be published to subscribers. Runs on the
// engine's executor; not thread-safe.
class SentinelPort : public PortClients {
 public:
  // Appends the reply to `out` in the client's RESP version.
  using CommandHandler =
      std::function<AfterReply(PortClient&, std::span<const std::string_view>, std::string& out)>;

  // Runs before every command, Pub/Sub included; false when it refused the command (its
  // error already appended to `out`). ACL checks live there.
  using CommandGate =
      std::function<bool(PortClient&, std::span<const std::string_view>, std::string& out)>;

  SentinelPort(asio::any_io_executor executor, CommandHandler handler);
  void set_gate(CommandGate gate) { gate_ = std::move(gate); }
  ~SentinelPort();
  SentinelPort(const SentinelPort&) = delete;
  SentinelPort& operator=(const SentinelPort&) = delete;

  // Binds and starts accepting. Throws std::system_error when the address is taken:
  // this happens at start-up only.
  void listen(const std::string& bind, std::uint16_t port) {
    open(bind, port);
    start_accepting();
  }
  // The two halves of listen(): connections queue on the socket from open() on, and are
  // taken from start_accepting() on.
  void open(const std::string& bind, std::uint16_t port);
  // tls-port: a second listening socket, whose clients begin with the TLS handshake (with
  // the server context `tls` holds then). Before start_accepting().
  void open_tls(const std::string& bind, std::uint16_t port, std::shared_ptr<tls::TlsStore> tls);
  void start_accepting();
  // An upgrade by hand-over (SIGUSR2): every client is closed and no connection is taken
  // any more, but the socket stays open for the new process (connections queue on it
  // meanwhile); start_accepting() takes them again if the upgrade fails.
  void stop_accepting();
  // Clients accepted from now on must AUTH first (requirepass).
  void require_auth(bool required) { requires_auth_ = required; }
  // `maxclients`: connections beyond it are refused with Redis's error.
  void set_max_clients(std::size_t max) { max_clients_ = max; }
  std::size_t max_clients() const override { return max_clients_; }
  // `tcp-keepalive` for connections accepted from now on (0: off): a peer whose link was
  // cut (its FIN lost in a partition) does not leave this end open for good.
  void set_tcp_keepalive(std::chrono::seconds interval) { tcp_keepalive_ = interval; }
  std::uint16_t port() const;

  // Sends a "message" (and "pmessage" for each matching pattern) to every subscriber.
  void publish(std::string_view channel, std::string_view message);
  std::size_t clients() const;
  // PortClients
  std::vector<const PortClient*> client_list() const override;
  std::size_t kill(const std::function<bool(const PortClient&)>& match, PortClient& self,
                   bool include_self) override;
  const PortStats& stats() const override { return stats_; }
  bool has_client(std::uint64_t id) const override;

  void pause(PauseMode mode, std::chrono::steady_clock::time_point until) override;
  void unpause() override;
  // A command that must wait now (CLIENT PAUSE).
  bool paused_for(std::span<const std::string_view> args) const;
  void close();

  class Session;

 private:
  void accept_loop_start(asio::ip::tcp::acceptor& acceptor);
  void close_sessions();

  asio::any_io_executor executor_;
  asio::ip::tcp::acceptor acceptor_;
  asio::ip::tcp::acceptor tls_acceptor_;
  std::shared_ptr<tls::TlsStore> tls_;
  CommandHandler handler_;
  CommandGate gate_;
  std::list<std::weak_ptr<Session>> sessions_;
  std::uint64_t next_client_id_ = 1;
  bool requires_auth_ = false;
  std::size_t max_clients_ = 10000;          // Redis's default maxclients
  std::chrono::seconds tcp_keepalive_{300};  // Redis's default tcp-keepalive
  PortStats stats_;
  bool accepting_ = false;
  std::uint64_t accept_loop_ = 0;
  PauseMode pause_mode_ = PauseMode::kNone;
  std::chrono::steady_clock::time_point paused_until_{};
};

}  // namespace sp::sentinel::io

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

namespace sp::sentinel::io {

// What a command handler may read and change about one client of the sentinel port.
struct PortClient {
  std::uint64_t id = 0;
  std::string name;           // CLIENT SETNAME
  std::string address;        // "ip:port" of the peer
  std::string local_address;  // "ip:port" it connected to
  int fd = -1;
  protocol::RespVersion resp = protocol::RespVersion::kResp2;
  bool authenticated = true;
  std::string user = "default";                 // the ACL user it is authenticated as
  std::set<std::string, std::less<>> channels;  // SUBSCRIBE, kept by the port
  std::set<std::string, std::less<>> patterns;  // PSUBSCRIBE, kept by the port
  std::chrono::steady_clock::time_point created = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_interaction = created;
  std::string last_command = "NULL";  // "client|list" form, as CLIENT LIST shows it
  std::size_t query_buffer = 0;       // bytes read and not yet parsed
  std::size_t output_buffer = 0;      // bytes queued and not yet written
  bool close_after_reply = false;     // CLIENT KILL of itself
  // CLIENT REPLY: kOn, kOff (no replies), kSkip (none for the next command only).
  enum class ReplyMode : std::uint8_t { kOn, kOff, kSkip, kSkipNext } reply_mode = ReplyMode::kOn;
  // CLIENT TRACKING: a Sentinel holds no keys, so there is never anything to invalidate;
  // the switch and its redirect are kept for TRACKINGINFO.
  bool tracking = false;
  std::int64_t tracking_redirect = 0;
  std::vector<std::string> tracking_flags;
  std::vector<std::string> tracking_prefixes;
};

// What INFO's Stats section reports about the port.
struct PortStats {
  std::uint64_t connections_received = 0;
  std::uint64_t commands_processed = 0;
  std::uint64_t net_input_bytes = 0;
  std::uint64_t net_output_bytes = 0;
  std::uint64_t reads_processed = 0;
  std::uint64_t writes_processed = 0;
  std::uint64_t error_replies = 0;
  std::uint64_t rejected_connections = 0;  // refused over maxclients
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
  void listen(const std::string& bind, std::uint16_t port);
  // Clients accepted from now on must AUTH first (requirepass).
  void require_auth(bool required) { requires_auth_ = required; }
  // `maxclients`: connections beyond it are refused with Redis's error.
  void set_max_clients(std::size_t max) { max_clients_ = max; }
  std::size_t max_clients() const { return max_clients_; }
  std::uint16_t port() const;

  // Sends a "message" (and "pmessage" for each matching pattern) to every subscriber.
  void publish(std::string_view channel, std::string_view message);
  std::size_t clients() const;
  // Every connected client, oldest first (CLIENT LIST).
  std::vector<const PortClient*> client_list() const;
  // Closes every client `match` selects; `self` (the one asking) only if `include_self`,
  // and then after its reply. Returns how many were selected (CLIENT KILL).
  std::size_t kill(const std::function<bool(const PortClient&)>& match, PortClient& self,
                   bool include_self);
  const PortStats& stats() const { return stats_; }
  bool has_client(std::uint64_t id) const;

  // CLIENT PAUSE: commands of every client (kAll) or those that may replicate (kWrite)
  // wait until `until` or CLIENT UNPAUSE.
  enum class PauseMode : std::uint8_t { kNone, kWrite, kAll };
  void pause(PauseMode mode, std::chrono::steady_clock::time_point until);
  void unpause();
  bool paused_for(std::span<const std::string_view> args) const;
  void close();

  class Session;

 private:
  void accept_loop_start();

  asio::any_io_executor executor_;
  asio::ip::tcp::acceptor acceptor_;
  CommandHandler handler_;
  CommandGate gate_;
  std::list<std::weak_ptr<Session>> sessions_;
  std::uint64_t next_client_id_ = 1;
  bool requires_auth_ = false;
  std::size_t max_clients_ = 10000;  // Redis's default maxclients
  PortStats stats_;
  PauseMode pause_mode_ = PauseMode::kNone;
  std::chrono::steady_clock::time_point paused_until_{};
};

}  // namespace sp::sentinel::io

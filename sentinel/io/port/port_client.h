#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

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

// CLIENT PAUSE: commands of every client (kAll) or those that may replicate (kWrite) wait.
enum class PauseMode : std::uint8_t { kNone, kWrite, kAll };

// What the command surface (CLIENT, ACL, INFO) may see and do to the port's clients,
// without its sockets. SentinelPort is the one implementation; it keeps Asio out of the
// command surface.
class PortClients {
 public:
  virtual ~PortClients() = default;
  // Every connected client, oldest first (CLIENT LIST).
  virtual std::vector<const PortClient*> client_list() const = 0;
  // Closes every client `match` selects; `self` (the one asking) only if `include_self`,
  // and then after its reply. Returns how many were selected (CLIENT KILL).
  virtual std::size_t kill(const std::function<bool(const PortClient&)>& match, PortClient& self,
                           bool include_self) = 0;
  virtual bool has_client(std::uint64_t id) const = 0;
  // maxclients: connections beyond it are refused with Redis's error.
  virtual std::size_t max_clients() const = 0;
  virtual const PortStats& stats() const = 0;
  // CLIENT PAUSE until `until` or CLIENT UNPAUSE.
  virtual void pause(PauseMode mode, std::chrono::steady_clock::time_point until) = 0;
  virtual void unpause() = 0;
};

}  // namespace sp::sentinel::io

#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "sentinel/endpoint.h"

namespace sp::sentinel {

// What the shell tells the engine. Every event names the endpoint it came from;
// events for an endpoint the engine no longer monitors are ignored (a reply on a
// link that was closed by an address switch, for example).

// The link failed or was closed (connection refused, reset, timeout). The engine
// treats a link as up from the moment it emits Connect, as Sentinel does with
// its asynchronous connect, so there is no "connected" event.
struct LinkDisconnected {
  Endpoint from;
};

enum class PingReplyKind { kPong, kLoading, kMasterDown, kBusy, kOtherError };
std::string_view to_string(PingReplyKind kind);

// Any reply to PING. Only +PONG, -LOADING and -MASTERDOWN count as "available";
// -BUSY is separate because it triggers SCRIPT KILL.
struct PingReply {
  Endpoint from;
  PingReplyKind kind = PingReplyKind::kPong;
};

// A bulk-string reply to INFO (errors are not delivered: Sentinel ignores them,
// but the shell should still deliver CommandReply so pending counts drop).
struct InfoReply {
  Endpoint from;
  std::string text;
};

// The reply to our PUBLISH of a hello; `ok` = not an error reply.
struct PublishReply {
  Endpoint from;
  bool ok = true;
};

// Any other reply on the command connection (SLAVEOF transaction, SCRIPT KILL,
// a malformed is-master-down reply, an INFO error): only lowers pending counts.
struct CommandReply {
  Endpoint from;
};

// A well-formed [integer, bulk, integer] answer to our is-master-down-by-addr.
// Malformed answers must be delivered as CommandReply instead.
struct MasterDownReply {
  Endpoint from;  // the peer sentinel
  bool down = false;
  std::string leader;  // "*" if none
  std::uint64_t leader_epoch = 0;
};

// A hello payload, received as a pub/sub message on a master/replica link
// (via_pubsub) or as PUBLISH __sentinel__:hello on our sentinel port.
struct HelloReceived {
  std::string payload;
  bool via_pubsub = true;
};

// The shell resolved the endpoint's hostname again before connecting to it (Sentinel
// re-resolves before each reconnect); the engine shows and compares the new IP.
struct HostResolved {
  Endpoint from;
  std::string ip;
};

using Event = std::variant<LinkDisconnected, PingReply, InfoReply, PublishReply, CommandReply,
                           MasterDownReply, HelloReceived, HostResolved>;

}  // namespace sp::sentinel

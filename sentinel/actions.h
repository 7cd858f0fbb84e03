#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sentinel/endpoint.h"
#include "sentinel/hello.h"
#include "sentinel/notice.h"
#include "sentinel/persisted_state.h"

namespace sp::sentinel {

// What the engine asks the shell to do, drained with Engine::take_actions() and
// executed in order. Commands carry the command words already mapped through
// the group's rename-command table.

// Open the link (command + pub/sub connection subscribed to __sentinel__:hello
// for masters/replicas; AUTH and CLIENT SETNAME first). The engine considers
// the link up from now on; report failures with LinkDisconnected.
struct Connect {
  Endpoint to;
  std::string auth_user;  // empty = none
  std::string auth_pass;  // empty = no AUTH
};

// Close the link (stalled, or its instance was dropped). No event expected back.
struct Disconnect {
  Endpoint to;
};

struct SendPing {
  Endpoint to;
  std::string command;  // "PING" or its renamed form
};

struct SendInfo {
  Endpoint to;
  std::string command;  // "INFO" or its renamed form
};

// PUBLISH __sentinel__:hello <payload>. If EngineConfig::announce_ip is empty,
// hello.sentinel_ip is empty and the shell must fill in the local address of
// the connection and re-format the payload with format_hello().
struct PublishHello {
  Endpoint to;
  std::string command;  // "PUBLISH" or its renamed form
  Hello hello;
  std::string payload;
};

// SENTINEL is-master-down-by-addr <ip> <port> <current_epoch> <runid or *>.
struct AskMasterDown {
  Endpoint to;  // a peer sentinel
  std::vector<std::string> args;
};

// A command whose reply only counts as a reply: SCRIPT KILL, sent once to an SDOWN
// instance that answered PING with -BUSY; CLIENT PAUSE <ms> WRITE before a planned
// failover's promotion.
struct SendCommand {
  Endpoint to;
  std::vector<std::string> args;
};

// The replica-of transaction: MULTI, SLAVEOF host port | NO ONE, CONFIG REWRITE,
// CLIENT KILL TYPE normal, CLIENT KILL TYPE pubsub, EXEC. Replies are ignored;
// success is judged from later INFO.
struct SendReplicaOf {
  Endpoint to;
  std::optional<Address> new_master;  // nullopt = SLAVEOF NO ONE
  std::vector<std::vector<std::string>> commands;
};

// The group's master is now `addr` at `config_epoch` (promotion observed by the
// leader, or an address switch). The proxy's topology registry keys on it.
struct SwitchMaster {
  std::string group;
  Address addr;
  std::uint64_t config_epoch = 0;
};

// Store this state durably before executing any later action or answering the
// request that caused it.
struct PersistState {
  PersistedState state;
};

using Action =
    std::variant<Connect, Disconnect, SendPing, SendInfo, PublishHello, AskMasterDown, SendCommand,
                 SendReplicaOf, SwitchMaster, PersistState, Notice>;  // Notice: sentinel/notice.h

}  // namespace sp::sentinel

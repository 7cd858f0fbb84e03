#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "protocol/command_table.h"
#include "proxy/session/pending_replies.h"

namespace sp::proxy {

// What the session needs to know about a request's command, found with one lookup in the
// command table: no decision on the data path compares the command's name again.
struct CommandClass {
  const protocol::CommandInfo* info = nullptr;  // null: a command Redis does not know
  // The subcommand's entry when the request names one the table knows (XGROUP CREATE:
  // xgroup|create, whose flags say it writes), else `info`.
  const protocol::CommandInfo* specific = nullptr;
  std::uint32_t slot = 0;  // its WorkerStats slot
  CommandRole role = CommandRole::kPlain;
  PubsubScope scope = PubsubScope::kChannels;  // for a kPubsub command
  bool tracks_state = false;                   // it changes what a move replays (SessionState)
  bool quit = false;
  bool exec = false;
  bool identifies = false;  // AUTH or HELLO: who the client is may change
  // It binds state to its connection, reads it, or parks it (README.md, "Pooled mode"):
  // a pooled session gets a connection of its own for it and keeps it.
  bool pins = false;
  // Durability mode (write-durability): a write (or EXEC; a command Redis 7.0 does not
  // know, such as a module's, counts as one) has its reply wait for a WAIT behind it;
  // `confirm_before`: a WAIT for the writes before this
  // command must go ahead of it, since behind it a WAIT would be queued (MULTI), refused
  // (SUBSCRIBE in RESP2), unanswered (CLIENT REPLY OFF, MONITOR, SYNC) or kept waiting
  // (a blocking command).
  bool writes = false;
  bool confirm_before = false;
  // A plain command that writes no data and is no transaction, admin or session-state
  // command (a read, PING, PUBLISH; also connection flags such as CLIENT TRACKING, which a
  // move loses anyway): its reply from a master replaced meanwhile is still the client's,
  // where a write's proves it ran too late (README.md, "Failover as your clients see it").
  bool changes_no_data = false;
  // MULTI; EXEC, DISCARD or RESET: where a transaction opens and ends as the master reads
  // the requests (the session's state only changes with their replies).
  bool opens_transaction = false;
  bool ends_transaction = false;
};

// `args`: a request, command name first (any case).
CommandClass classify_command(std::span<const std::string_view> args);

}  // namespace sp::proxy

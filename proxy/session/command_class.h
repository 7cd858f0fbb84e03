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
  std::uint32_t slot = 0;                       // its WorkerStats slot
  CommandRole role = CommandRole::kPlain;
  PubsubScope scope = PubsubScope::kChannels;  // for a kPubsub command
  bool tracks_state = false;                   // it changes what a move replays (SessionState)
  bool quit = false;
  bool exec = false;
  bool identifies = false;  // AUTH or HELLO: who the client is may change
  // It binds state to its connection, reads it, or parks it (README.md, "Pooled mode"):
  // a pooled session gets a connection of its own for it and keeps it.
  bool pins = false;
};

// `args`: a request, command name first (any case).
CommandClass classify_command(std::span<const std::string_view> args);

}  // namespace sp::proxy

#pragma once

#include <span>
#include <string>
#include <string_view>

#include "protocol/writer.h"

namespace sp::sentinel::io {

// COMMAND [COUNT | LIST [FILTERBY ...] | INFO [name ...] | DOCS [name ...] | GETKEYS ... |
// GETKEYSANDFLAGS ... | HELP], answered from the table captured from a real Sentinel.
// Appends the reply to `out` in `version`.
void command_command(std::span<const std::string_view> args, protocol::RespVersion version,
                     std::string& out);

}  // namespace sp::sentinel::io

#pragma once

#include <span>
#include <string>
#include <string_view>

#include "protocol/writer.h"

namespace sp::sentinel::io {

// Redis's text for a command it does not know (server.c processCommand).
void unknown_command(std::span<const std::string_view> args, protocol::RespWriter& w);
// "ERR wrong number of arguments for '<name>' command"; `name` is lower-cased, and is
// "container|sub" for subcommands, as Redis 7 words it.
void wrong_arity(std::string_view name, protocol::RespWriter& w);
// "ERR unknown subcommand '<sub>'. Try <CONTAINER> HELP."
void unknown_subcommand(std::string_view container, std::string_view sub, protocol::RespWriter& w);
// "ERR unknown subcommand or wrong number of arguments for '<sub>'. Try <CONTAINER> HELP."
// (a subcommand's own check of its arguments).
void subcommand_syntax_error(std::string_view container, std::string_view sub,
                             protocol::RespWriter& w);
// A HELP reply: the first line names the container, then the given lines, then
// "HELP" / "    Prints this help.", as Redis's addReplyHelp builds it.
void help_reply(std::string_view container, std::span<const std::string_view> lines,
                protocol::RespWriter& w);

}  // namespace sp::sentinel::io

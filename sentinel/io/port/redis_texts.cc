#include "sentinel/io/port/redis_texts.h"

#include <algorithm>

#include "protocol/command_table.h"

namespace sp::sentinel::io {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

}  // namespace

void unknown_command(std::span<const std::string_view> args, protocol::RespWriter& w) {
  std::string text = "ERR unknown command '" + std::string(args[0].substr(0, 128)) +
                     "', with args beginning with: ";
  for (std::size_t i = 1; i < args.size() && text.size() < 128; ++i) {
    text +=
        "'" + std::string(args[i].substr(0, 128 - std::min<std::size_t>(text.size(), 128))) + "' ";
  }
  w.error(text);
}

void wrong_arity(std::string_view name, protocol::RespWriter& w) {
  w.error("ERR wrong number of arguments for '" + protocol::to_lower(name) + "' command");
}

void unknown_subcommand(std::string_view container, std::string_view sub, protocol::RespWriter& w) {
  w.error("ERR unknown subcommand '" + std::string(sub.substr(0, 128)) + "'. Try " +
          upper(container) + " HELP.");
}

void subcommand_syntax_error(std::string_view container, std::string_view sub,
                             protocol::RespWriter& w) {
  w.error("ERR unknown subcommand or wrong number of arguments for '" +
          std::string(sub.substr(0, 128)) + "'. Try " + upper(container) + " HELP.");
}

void help_reply(std::string_view container, std::span<const std::string_view> lines,
                protocol::RespWriter& w) {
  w.array(lines.size() + 3);
  w.simple_string(upper(container) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (std::string_view line : lines) w.simple_string(line);
  w.simple_string("HELP");
  w.simple_string("    Prints this help.");
}

}  // namespace sp::sentinel::io

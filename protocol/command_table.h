#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sp::protocol {

// What the proxy needs to know about a command, from redis-server 7.0's COMMAND INFO
// (flags) and ACL categories (transaction, connection).
struct CommandFlags {
  bool write : 1 = false;
  bool readonly : 1 = false;
  bool blocking : 1 = false;
  bool pubsub : 1 = false;
  bool transaction : 1 = false;  // @transaction: MULTI, EXEC, DISCARD, WATCH, UNWATCH
  bool connection : 1 = false;   // @connection: changes or reads the session's state
  bool admin : 1 = false;
  bool may_replicate : 1 = false;
  bool noscript : 1 = false;
  bool fast : 1 = false;
  bool denyoom : 1 = false;
  bool loading : 1 = false;
  bool stale : 1 = false;
  bool no_auth : 1 = false;
  bool no_multi : 1 = false;
};

// Redis's arity rule: N means exactly N words including the command's name, -N at least N.
constexpr bool arity_allows(int arity, std::size_t argc) {
  return arity >= 0 ? argc == static_cast<std::size_t>(arity)
                    : argc >= static_cast<std::size_t>(-arity);
}

struct CommandInfo {
  std::string_view name;  // lower case; subcommands as "container|sub"
  // Redis arity: N means exactly N arguments including the name, -N at least N.
  std::int16_t arity;
  std::int16_t first_key;
  std::int16_t last_key;
  std::int16_t key_step;
  CommandFlags flags;
  std::span<const CommandInfo> subcommands;  // sorted by name; empty for most commands

  bool arity_ok(std::size_t argc) const { return arity_allows(arity, argc); }
};

// Every command of redis-server 7.0, sorted by name. Generated data: see
// scripts/gen_command_table.py.
std::span<const CommandInfo> all_commands();

// Case-insensitive lookups that neither allocate nor copy. nullptr when unknown.
const CommandInfo* find_command(std::string_view name);
const CommandInfo* find_subcommand(const CommandInfo& container, std::string_view sub);
// The most specific entry for a request: "CONFIG GET x" → config|get; a container
// command without a known subcommand resolves to the container itself.
const CommandInfo* find_command(std::span<const std::string_view> args);

// ASCII case-insensitive equality, the comparison Redis uses for command names.
bool iequals(std::string_view a, std::string_view b);

// ASCII lower case, as Redis compares command and option names.
std::string to_lower(std::string_view s);

}  // namespace sp::protocol

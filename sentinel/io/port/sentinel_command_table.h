#pragma once

#include <span>
#include <string_view>

namespace sp::sentinel::io {

// One command or subcommand ("client|list") of a Redis Sentinel 7.0, as its COMMAND
// reply describes it. The reply fragments are the real Sentinel's own bytes, so that
// COMMAND INFO/DOCS on our port answer exactly what clients (redis-cli's hints, client
// libraries probing the server) read from a redis-sentinel.
struct SentinelCommandSpec {
  std::string_view name;        // lower case; "container|sub" for subcommands
  int arity;                    // Redis's convention: negative means "at least"
  std::string_view flags;       // space separated, as COMMAND INFO lists them
  std::string_view categories;  // ACL categories without '@', space separated
  std::string_view info_resp2;  // one element of COMMAND INFO's reply
  std::string_view info_resp3;
  std::string_view docs_resp2;  // the value COMMAND DOCS gives for this name
  std::string_view docs_resp3;

  bool is_subcommand() const { return name.find('|') != std::string_view::npos; }
  bool has_category(std::string_view category) const;
  bool has_flag(std::string_view flag) const;
};

// Every command and subcommand, each container followed by its subcommands, in the
// order COMMAND LIST gives them.
std::span<const SentinelCommandSpec> sentinel_commands();
// Top-level commands only (COMMAND COUNT).
std::size_t sentinel_command_count();
// The ACL categories a Redis 7.0 knows (ACL CAT), in its order.
std::span<const std::string_view> acl_categories();

// Case-insensitive lookup of "name" or "container|sub".
const SentinelCommandSpec* find_sentinel_command(std::string_view name);
// The spec that governs a request: the subcommand's when the command is a container
// and the subcommand is known, else the command's; null for an unknown command.
const SentinelCommandSpec* sentinel_command_for(std::span<const std::string_view> args);

}  // namespace sp::sentinel::io

#include "sentinel/io/port/sentinel_command_table.h"

#include <algorithm>

#include "protocol/command_table.h"

namespace sp::sentinel::io {
namespace {

#include "sentinel/io/port/sentinel_command_data.inc"

bool has_word(std::string_view words, std::string_view word) {
  while (!words.empty()) {
    const auto space = words.find(' ');
    if (words.substr(0, space) == word) return true;
    if (space == std::string_view::npos) break;
    words.remove_prefix(space + 1);
  }
  return false;
}

}  // namespace

bool SentinelCommandSpec::has_category(std::string_view category) const {
  return has_word(categories, category);
}

bool SentinelCommandSpec::has_flag(std::string_view flag) const {
  return has_word(flags, flag);
}

std::span<const SentinelCommandSpec> sentinel_commands() {
  return kSentinelCommands;
}

std::size_t sentinel_command_count() {
  return static_cast<std::size_t>(
      std::count_if(std::begin(kSentinelCommands), std::end(kSentinelCommands),
                    [](const SentinelCommandSpec& spec) { return !spec.is_subcommand(); }));
}

std::span<const std::string_view> acl_categories() {
  return kAclCategories;
}

const SentinelCommandSpec* find_sentinel_command(std::string_view name) {
  for (const SentinelCommandSpec& spec : kSentinelCommands) {
    if (protocol::iequals(spec.name, name)) return &spec;
  }
  return nullptr;
}

const SentinelCommandSpec* sentinel_command_for(std::span<const std::string_view> args) {
  if (args.empty() || args[0].find('|') != std::string_view::npos) return nullptr;
  const SentinelCommandSpec* command = find_sentinel_command(args[0]);
  if (command == nullptr || args.size() < 2) return command;
  const std::string full = protocol::to_lower(args[0]) + "|" + protocol::to_lower(args[1]);
  const SentinelCommandSpec* sub = find_sentinel_command(full);
  return sub != nullptr ? sub : command;
}

}  // namespace sp::sentinel::io

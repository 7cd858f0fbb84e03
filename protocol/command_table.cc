#include "protocol/command_table.h"

#include <algorithm>

namespace sp::protocol {
namespace {

#include "protocol/command_table_data.inc"

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Compares a table name (lower case) with a client-supplied name of any case.
int compare_folded(std::string_view table_name, std::string_view name) {
  const std::size_t n = std::min(table_name.size(), name.size());
  for (std::size_t i = 0; i < n; ++i) {
    const char a = table_name[i];
    const char b = lower(name[i]);
    if (a != b) return a < b ? -1 : 1;
  }
  if (table_name.size() == name.size()) return 0;
  return table_name.size() < name.size() ? -1 : 1;
}

const CommandInfo* find_in(std::span<const CommandInfo> table, std::string_view name) {
  const auto it = std::lower_bound(table.begin(), table.end(), name,
                                   [](const CommandInfo& info, std::string_view key) {
                                     return compare_folded(info.name, key) < 0;
                                   });
  if (it == table.end() || compare_folded(it->name, name) != 0) return nullptr;
  return &*it;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

std::span<const CommandInfo> all_commands() {
  return kCommands;
}

const CommandInfo* find_command(std::string_view name) {
  return find_in(kCommands, name);
}

// Subcommand entries are named "container|sub"; compare the part after the bar.
const CommandInfo* find_subcommand(const CommandInfo& container, std::string_view sub) {
  const std::size_t prefix = container.name.size() + 1;
  const auto it = std::lower_bound(container.subcommands.begin(), container.subcommands.end(), sub,
                                   [prefix](const CommandInfo& info, std::string_view key) {
                                     return compare_folded(info.name.substr(prefix), key) < 0;
                                   });
  if (it == container.subcommands.end() || compare_folded(it->name.substr(prefix), sub) != 0) {
    return nullptr;
  }
  return &*it;
}

const CommandInfo* find_command(std::span<const std::string_view> args) {
  if (args.empty()) return nullptr;
  const CommandInfo* command = find_command(args[0]);
  if (command == nullptr || command->subcommands.empty() || args.size() < 2) return command;
  const CommandInfo* sub = find_subcommand(*command, args[1]);
  return sub != nullptr ? sub : command;
}

}  // namespace sp::protocol

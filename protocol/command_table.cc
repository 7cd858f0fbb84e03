#include "protocol/command_table.h"

#include <algorithm>
#include <array>
#include <cstdint>

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

// Top-level names by a hash of their lower-case form, so that a request's command is found
// with one pass over its name and one comparison (the data path looks up every request).
// Open addressing at a load under 1/4.
constexpr std::size_t kBuckets = 1024;

std::uint32_t folded_hash(std::string_view name) {
  std::uint32_t hash = 2166136261u;  // FNV-1a
  for (const char c : name) {
    hash ^= static_cast<unsigned char>(lower(c));
    hash *= 16777619u;
  }
  return hash;
}

struct NameIndex {
  std::array<std::int16_t, kBuckets> buckets;
  std::size_t longest = 0;  // a longer name is no command: not even hashed
};

const NameIndex& name_index() {
  static const NameIndex index = [] {
    static_assert(std::size(kCommands) * 4 <= kBuckets);
    NameIndex built;
    built.buckets.fill(-1);
    for (std::size_t i = 0; i < std::size(kCommands); ++i) {
      std::size_t b = folded_hash(kCommands[i].name) & (kBuckets - 1);
      while (built.buckets[b] >= 0) b = (b + 1) & (kBuckets - 1);
      built.buckets[b] = static_cast<std::int16_t>(i);
      built.longest = std::max(built.longest, kCommands[i].name.size());
    }
    return built;
  }();
  return index;
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
  const NameIndex& index = name_index();
  if (name.size() > index.longest) return nullptr;
  for (std::size_t b = folded_hash(name) & (kBuckets - 1); index.buckets[b] >= 0;
       b = (b + 1) & (kBuckets - 1)) {
    const CommandInfo& command = kCommands[static_cast<std::size_t>(index.buckets[b])];
    if (compare_folded(command.name, name) == 0) return &command;
  }
  return nullptr;
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

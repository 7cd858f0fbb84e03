#include "sentinel/io/port/command_command.h"

#include <vector>

#include "protocol/command_table.h"
#include "protocol/glob_match.h"
#include "sentinel/io/port/redis_texts.h"
#include "sentinel/io/port/sentinel_command_table.h"

namespace sp::sentinel::io {
namespace {

using protocol::iequals;
using protocol::RespVersion;
using protocol::RespWriter;

std::string_view info_of(const SentinelCommandSpec& spec, RespVersion version) {
  return version == RespVersion::kResp3 ? spec.info_resp3 : spec.info_resp2;
}

std::string_view docs_of(const SentinelCommandSpec& spec, RespVersion version) {
  return version == RespVersion::kResp3 ? spec.docs_resp3 : spec.docs_resp2;
}

// COMMAND LIST [FILTERBY MODULE <name> | ACLCAT <category> | PATTERN <pattern>]
void list(std::span<const std::string_view> args, RespWriter& w) {
  enum class Filter { kNone, kModule, kCategory, kPattern } filter = Filter::kNone;
  std::string_view value;
  if (args.size() == 5 && iequals(args[2], "filterby")) {
    value = args[4];
    if (iequals(args[3], "module")) filter = Filter::kModule;
    if (iequals(args[3], "aclcat")) filter = Filter::kCategory;
    if (iequals(args[3], "pattern")) filter = Filter::kPattern;
  }
  if (args.size() != 2 && filter == Filter::kNone) return void(w.error("ERR syntax error"));
  // Names are lower case; Redis matches the pattern without regard to case.
  const std::string pattern = protocol::to_lower(value);
  std::vector<std::string_view> names;
  for (const SentinelCommandSpec& spec : sentinel_commands()) {
    const bool wanted = filter == Filter::kNone ||
                        (filter == Filter::kCategory && spec.has_category(value)) ||
                        (filter == Filter::kPattern && protocol::glob_match(pattern, spec.name));
    if (wanted) names.push_back(spec.name);
  }
  w.array(names.size());
  for (std::string_view name : names) w.bulk_string(name);
}

void info(std::span<const std::string_view> args, RespVersion version, std::string& out) {
  RespWriter w(out, version);
  if (args.size() == 2) {
    w.array(sentinel_command_count());
    for (const SentinelCommandSpec& spec : sentinel_commands()) {
      if (!spec.is_subcommand()) out += info_of(spec, version);
    }
    return;
  }
  w.array(args.size() - 2);
  for (std::string_view name : args.subspan(2)) {
    if (const SentinelCommandSpec* spec = find_sentinel_command(name)) {
      out += info_of(*spec, version);
    } else {
      w.null();
    }
  }
}

// Unknown names are left out of DOCS, as Redis leaves them out.
void docs(std::span<const std::string_view> args, RespVersion version, std::string& out) {
  RespWriter w(out, version);
  std::vector<const SentinelCommandSpec*> specs;
  if (args.size() == 2) {
    for (const SentinelCommandSpec& spec : sentinel_commands()) {
      if (!spec.is_subcommand()) specs.push_back(&spec);
    }
  } else {
    for (std::string_view name : args.subspan(2)) {
      if (const SentinelCommandSpec* spec = find_sentinel_command(name)) specs.push_back(spec);
    }
  }
  w.map(specs.size());
  for (const SentinelCommandSpec* spec : specs) {
    w.bulk_string(spec->name);
    out += docs_of(*spec, version);
  }
}

// No command of a Sentinel takes keys, so GETKEYS can only check its input.
void getkeys(std::span<const std::string_view> args, RespWriter& w) {
  const SentinelCommandSpec* spec = sentinel_command_for(args.subspan(2));
  if (spec == nullptr) return void(w.error("ERR Invalid command specified"));
  if (!protocol::arity_allows(spec->arity, args.size() - 2)) {
    return void(w.error("ERR Invalid number of arguments specified for command"));
  }
  w.error("ERR The command has no key arguments");
}

constexpr std::string_view kHelp[] = {
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
};

}  // namespace

void command_command(std::span<const std::string_view> args, RespVersion version,
                     std::string& out) {
  RespWriter w(out, version);
  if (args.size() == 1) {
    info(std::vector<std::string_view>{args[0], "info"}, version, out);
    return;
  }
  const std::string sub = protocol::to_lower(args[1]);
  const SentinelCommandSpec* spec = find_sentinel_command("command|" + sub);
  if (spec == nullptr) return unknown_subcommand("command", args[1], w);
  if (!protocol::arity_allows(spec->arity, args.size())) {
    return wrong_arity(spec->name, w);
  }
  if (sub == "count") {
    w.integer(static_cast<std::int64_t>(sentinel_command_count()));
  } else if (sub == "list") {
    list(args, w);
  } else if (sub == "info") {
    info(args, version, out);
  } else if (sub == "docs") {
    docs(args, version, out);
  } else if (sub == "getkeys" || sub == "getkeysandflags") {
    getkeys(args, w);
  } else {
    help_reply("command", kHelp, w);
  }
}

}  // namespace sp::sentinel::io

#include "proxy/session/command_class.h"

#include <vector>

#include "proxy/metrics/worker_stats.h"

namespace sp::proxy {
namespace {

// Per command of the table (by its slot), what its name alone says.
struct NameFacts {
  CommandRole role = CommandRole::kPlain;
  PubsubScope scope = PubsubScope::kChannels;
  bool tracks_state = false;
  bool quit = false;
  bool exec = false;
  bool identifies = false;
  bool client = false;  // CLIENT: its subcommand decides (SETNAME, REPLY OFF|SKIP)
};

NameFacts facts_of(std::string_view name) {
  NameFacts f;
  for (std::string_view s :
       {"subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe"}) {
    if (name == s) f.role = CommandRole::kPubsub;
  }
  if (name == "psubscribe" || name == "punsubscribe") f.scope = PubsubScope::kPatterns;
  if (name == "ssubscribe" || name == "sunsubscribe") f.scope = PubsubScope::kShards;
  if (name == "sync" || name == "psync") f.role = CommandRole::kReplication;
  if (name == "monitor") f.role = CommandRole::kPassthrough;
  if (name == "hello") f.role = CommandRole::kHello;
  if (name == "reset") f.role = CommandRole::kReset;
  // What a move to a new master replays or must know about (SessionState).
  for (std::string_view s :
       {"auth", "hello", "select", "subscribe", "psubscribe", "ssubscribe", "unsubscribe",
        "punsubscribe", "sunsubscribe", "multi", "exec", "discard", "watch", "unwatch", "reset"}) {
    if (name == s) f.tracks_state = true;
  }
  f.quit = name == "quit";
  f.exec = name == "exec";
  f.identifies = name == "auth" || name == "hello";
  f.client = name == "client";
  return f;
}

const std::vector<NameFacts>& name_facts() {
  static const std::vector<NameFacts> table = [] {
    std::vector<NameFacts> built;
    for (const protocol::CommandInfo& info : protocol::all_commands()) {
      built.push_back(facts_of(info.name));
    }
    return built;
  }();
  return table;
}

}  // namespace

CommandClass classify_command(std::span<const std::string_view> args) {
  CommandClass c;
  if (args.empty()) return c;
  c.info = protocol::find_command(args[0]);
  c.slot = static_cast<std::uint32_t>(command_slot(c.info));
  if (c.info == nullptr) return c;
  const NameFacts& f = name_facts()[c.slot];
  c.role = f.role;
  c.scope = f.scope;
  c.tracks_state = f.tracks_state;
  c.quit = f.quit;
  c.exec = f.exec;
  c.identifies = f.identifies;
  if (f.client && args.size() >= 2) {
    using protocol::iequals;
    if (iequals(args[1], "setname")) c.tracks_state = true;
    if (args.size() >= 3 && iequals(args[1], "reply") &&
        (iequals(args[2], "off") || iequals(args[2], "skip"))) {
      c.role = CommandRole::kPassthrough;
    }
  }
  return c;
}

}  // namespace sp::proxy

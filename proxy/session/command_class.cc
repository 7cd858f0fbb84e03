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
  bool pins = false;
  bool pins_unless_db0 = false;     // SELECT 0 changes nothing on a shared connection
  bool pins_if_block_arg = false;   // XREAD and XREADGROUP park only with BLOCK
  bool pins_by_subcommand = false;  // SCRIPT KILL|DEBUG, FUNCTION KILL
  bool writes = false;
  bool confirm_before = false;
  bool opens_transaction = false;
  bool ends_transaction = false;
};

NameFacts facts_of(const protocol::CommandInfo& info) {
  const std::string_view name = info.name;
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
  // @connection commands change or read the connection's state (AUTH, HELLO, CLIENT,
  // SELECT, RESET, READONLY, WAIT, ...); blocking ones park it. PING and ECHO do neither.
  const bool bound = info.flags.connection || info.flags.blocking ||
                     f.role != CommandRole::kPlain || f.tracks_state ||
                     f.client;  // the container CLIENT has no flags of its own
  // SHUTDOWN, SCRIPT KILL and FUNCTION KILL are what a client sends while a script keeps
  // Redis busy: behind that script's EVAL on a shared connection, Redis would never read
  // them, so they go on a connection of their own. SCRIPT DEBUG turns the connection's
  // next EVAL into a debugging session; REPLCONF sets replica state on the connection, and
  // Redis does not answer REPLCONF ACK at all.
  f.pins = (bound && name != "ping" && name != "echo" && name != "quit") || name == "shutdown" ||
           name == "replconf";
  f.pins_by_subcommand = name == "script" || name == "function";
  f.pins_unless_db0 = name == "select";
  f.pins_if_block_arg = name == "xread" || name == "xreadgroup";
  if (f.pins_unless_db0 || f.pins_if_block_arg) f.pins = false;
  // A script may write (the fence refuses them too: SessionMachine::refuses_write); so may
  // what Redis flags may_replicate, but for PUBLISH, flagged so only for the cluster bus.
  f.writes = info.flags.write || (info.flags.may_replicate && !info.flags.pubsub) || f.exec ||
             name == "eval" || name == "evalsha" || name == "fcall";
  f.opens_transaction = name == "multi";
  f.ends_transaction = f.exec || name == "discard" || name == "reset";
  // QUIT closes the connection once its +OK is out, which must not overtake held replies.
  f.confirm_before =
      name == "multi" || f.quit || f.role != CommandRole::kPlain || info.flags.blocking;
  return f;
}

bool names_block_option(std::span<const std::string_view> args) {
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (protocol::iequals(args[i], "block")) return true;
  }
  return false;
}

const std::vector<NameFacts>& name_facts() {
  static const std::vector<NameFacts> table = [] {
    std::vector<NameFacts> built;
    for (const protocol::CommandInfo& info : protocol::all_commands()) {
      built.push_back(facts_of(info));
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
  // A command Redis 7.0 does not know (a module's, a later version's such as WAITAOF)
  // may bind or park the connection: it gets one of its own; it may also write, or
  // block.
  c.pins = c.writes = c.confirm_before = c.info == nullptr;
  c.specific = c.info;
  if (c.info == nullptr) return c;
  if (!c.info->subcommands.empty() && args.size() >= 2) {
    if (const auto* sub = protocol::find_subcommand(*c.info, args[1])) c.specific = sub;
  }
  const NameFacts& f = name_facts()[c.slot];
  c.role = f.role;
  c.scope = f.scope;
  c.tracks_state = f.tracks_state;
  c.quit = f.quit;
  c.exec = f.exec;
  c.identifies = f.identifies;
  // A container (XGROUP, FUNCTION, ...) has no flags of its own: its subcommand's say.
  c.writes = f.writes || c.specific->flags.write;
  c.confirm_before = f.confirm_before && !(f.pins_if_block_arg && !names_block_option(args));
  c.opens_transaction = f.opens_transaction;
  c.ends_transaction = f.ends_transaction;
  c.changes_no_data = !c.writes && c.role == CommandRole::kPlain && !c.tracks_state &&
                      !c.specific->flags.admin && !c.specific->flags.transaction;
  c.pins = f.pins || (f.pins_unless_db0 && !(args.size() == 2 && args[1] == "0")) ||
           (f.pins_if_block_arg && names_block_option(args)) ||
           (f.pins_by_subcommand && args.size() >= 2 &&
            (protocol::iequals(args[1], "kill") || protocol::iequals(args[1], "debug")));
  if (f.client && args.size() >= 2) {
    using protocol::iequals;
    if (iequals(args[1], "setname")) {
      c.tracks_state = true;
      c.changes_no_data = false;
    }
    if (args.size() >= 3 && iequals(args[1], "reply") &&
        (iequals(args[2], "off") || iequals(args[2], "skip"))) {
      c.role = CommandRole::kPassthrough;
      c.confirm_before = true;
      c.changes_no_data = false;
    }
  }
  return c;
}

}  // namespace sp::proxy

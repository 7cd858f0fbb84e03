#include "sentinel/io/port/sentinel_commands.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iterator>
#include <optional>
#include <set>

#include "common/parse_number.h"
#include "protocol/command_table.h"
#include "protocol/glob_match.h"
#include "protocol/number.h"
#include "sentinel/field_lists.h"
#include "sentinel/io/port/acl_command.h"
#include "sentinel/io/port/client_command.h"
#include "sentinel/io/port/command_command.h"
#include "sentinel/io/port/redis_texts.h"
#include "sentinel/io/port/sentinel_command_table.h"

namespace sp::sentinel::io {
namespace {

using protocol::iequals;
using protocol::RespWriter;

void field_list(const FieldList& fields, RespWriter& w) {
  w.map(fields.size());
  for (const auto& [name, value] : fields) {
    w.bulk_string(name);
    w.bulk_string(value);
  }
}

void field_lists(const std::vector<FieldList>& lists, RespWriter& w) {
  w.array(lists.size());
  for (const auto& fields : lists) field_list(fields, w);
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  return parse_number<std::uint64_t>(s);
}

}  // namespace

AfterReply SentinelCommands::handle(PortClient& client, std::span<const std::string_view> args,
                                    std::string& out) {
  RespWriter w(out, client.resp);
  const std::string name = protocol::to_lower(args[0]);
  if (name == "ping") {
    if (args.size() > 2) {
      wrong_arity(name, w);
    } else if (args.size() == 2) {
      w.bulk_string(args[1]);
    } else {
      w.simple_string("PONG");
    }
  } else if (name == "sentinel") {
    sentinel(client, args, out);
  } else if (name == "info") {
    info(client, args, out);
  } else if (name == "role") {
    role(client, out);
  } else if (name == "publish") {
    publish(client, args, out);
  } else if (name == "hello") {
    hello(client, args, out);
  } else if (name == "auth") {
    auth(client, args, out);
  } else if (name == "client" && port_ != nullptr) {
    client_command(client, args, *port_, out);
  } else if (name == "command") {
    command_command(args, client.resp, out);
  } else if (name == "acl") {
    AclContext acl{acl_users_, acl_log_, port_, persist_acl_};
    acl_command(client, args, acl, out);
  } else {
    unknown_command(args, w);
  }
  return AfterReply::kKeepOpen;
}

void SentinelCommands::sentinel(PortClient& client, std::span<const std::string_view> args,
                                std::string& out) {
  RespWriter w(out, client.resp);
  if (args.size() < 2) return wrong_arity("sentinel", w);
  const std::string sub = protocol::to_lower(args[1]);
  const Engine& engine = shell_.engine();
  const TimePoint now = wall_clock_now();
  auto arity = [&](std::size_t n) {
    if (args.size() == n) return true;
    w.error("ERR wrong number of arguments for 'sentinel|" + sub + "' command");
    return false;
  };
  if (sub == "myid") {
    if (arity(2)) w.bulk_string(engine.myid());
  } else if (sub == "masters") {
    if (arity(2)) field_lists(masters_reply(engine, now), w);
  } else if (sub == "master") {
    if (!arity(3)) return;
    if (auto fields = master_reply(engine, args[2], now)) {
      field_list(*fields, w);
    } else {
      w.error("ERR No such master with that name");
    }
  } else if (sub == "replicas" || sub == "slaves") {
    if (!arity(3)) return;
    if (auto lists = replicas_reply(engine, args[2], now)) {
      field_lists(*lists, w);
    } else {
      w.error("ERR No such master with that name");
    }
  } else if (sub == "sentinels") {
    if (!arity(3)) return;
    if (auto lists = sentinels_reply(engine, args[2], now)) {
      field_lists(*lists, w);
    } else {
      w.error("ERR No such master with that name");
    }
  } else if (sub == "get-master-addr-by-name") {
    if (!arity(3)) return;
    if (auto addr = engine.master_address(args[2])) {
      w.array(2);
      w.bulk_string(engine.announced(*addr));
      w.bulk_string(std::to_string(addr->port));
    } else {
      w.null_array();
    }
  } else if (sub == "is-master-down-by-addr") {
    if (arity(6)) is_master_down_by_addr(client, args, out);
  } else if (sub == "failover") {
    if (!arity(3)) return;
    const FailoverRequest result = shell_.engine().request_failover(args[2], now);
    shell_.run_actions();
    if (result == FailoverRequest::kStarted) {
      w.simple_string("OK");
    } else {
      w.error(failover_request_error(result));
    }
  } else if (sub == "monitor") {
    if (!arity(6)) return;
    const auto port = parse_u64(args[4]);
    const auto quorum = parse_u64(args[5]);
    if (!port) return void(w.error("ERR Invalid port"));
    if (!quorum) return void(w.error("ERR Invalid quorum"));
    GroupConfig config;
    config.name = std::string(args[2]);
    config.address =
        Address{std::string(args[3]), static_cast<int>(std::min<std::uint64_t>(*port, 65536))};
    config.quorum = static_cast<int>(std::min<std::uint64_t>(*quorum, 1 << 30));
    config.down_after = shell_.engine().timings().default_down_after;
    config.failover_timeout = shell_.engine().timings().default_failover_timeout;
    const std::string error = shell_.engine().monitor_group(std::move(config), now);
    shell_.run_actions();
    if (error.empty()) {
      w.simple_string("OK");
    } else {
      w.error("ERR " + error);
    }
  } else if (sub == "remove") {
    if (!arity(3)) return;
    const bool removed = shell_.engine().remove_group(args[2]);
    shell_.run_actions();
    if (removed) {
      w.simple_string("OK");
    } else {
      w.error("ERR No such master with that name");
    }
  } else if (sub == "reset") {
    if (!arity(3)) return;
    std::vector<std::string> names;
    for (const Group& group : engine.groups()) {
      if (protocol::glob_match(args[2], group.config.name)) names.push_back(group.config.name);
    }
    for (const std::string& name : names) shell_.engine().reset_group(name, now);
    shell_.run_actions();
    w.integer(static_cast<std::int64_t>(names.size()));
  } else if (sub == "set") {
    if (args.size() < 5 || args.size() % 2 == 0) {
      return void(w.error("ERR wrong number of arguments for 'sentinel|set' command"));
    }
    if (engine.group(args[2]) == nullptr) return void(w.error("ERR No such master with that name"));
    std::string error;
    for (std::size_t i = 3; i + 1 < args.size() && error.empty(); i += 2) {
      error = shell_.engine().set_group_option(args[2], args[i], args[i + 1]);
    }
    shell_.run_actions();
    if (error.empty()) {
      w.simple_string("OK");
    } else {
      w.error("ERR " + error);
    }
  } else if (sub == "flushconfig") {
    if (!arity(2)) return;
    shell_.persist_now();
    w.simple_string("OK");
  } else if (sub == "pending-scripts") {
    if (!arity(2)) return;
    // mirrors sentinelPendingScriptsCommand: numbers as bulk strings.
    const std::vector<PendingScript> jobs =
        scripts_ != nullptr ? scripts_->pending() : std::vector<PendingScript>{};
    w.array(jobs.size());
    for (const PendingScript& job : jobs) {
      w.map(5);
      w.bulk_string("argv");
      w.array(job.argv.size());
      for (const std::string& a : job.argv) w.bulk_string(a);
      w.bulk_string("flags");
      w.bulk_string(job.running ? "running" : "scheduled");
      w.bulk_string("pid");
      w.bulk_string(std::to_string(job.pid));
      w.bulk_string(job.running ? "run-time" : "run-delay");
      w.bulk_string(std::to_string(job.millis.count()));
      w.bulk_string("retry-num");
      w.bulk_string(std::to_string(job.retry_num));
    }
  } else if (sub == "info-cache") {
    // [name, [[age-ms, INFO text], ...master first, then its replicas], ...]; names that
    // are not monitored are skipped; no name: every master.
    std::vector<const Group*> groups;
    for (const Group& g : engine.groups()) {
      bool wanted = args.size() == 2;
      for (std::size_t i = 2; i < args.size() && !wanted; ++i) wanted = args[i] == g.config.name;
      if (wanted) groups.push_back(&g);
    }
    auto cached = [&](const Instance& instance) {
      w.array(2);
      w.integer(
          instance.info_refresh == kNever
              ? 0
              : std::chrono::duration_cast<std::chrono::milliseconds>(now - instance.info_refresh)
                    .count());
      if (instance.info_text.empty()) {
        w.null();
      } else {
        w.bulk_string(instance.info_text);  // a bulk string in RESP3 too, as Sentinel sends it
      }
    };
    w.array(groups.size() * 2);
    for (const Group* g : groups) {
      w.bulk_string(g->config.name);
      w.array(g->replicas.size() + 1);
      cached(g->master);
      for (const auto& [key, replica] : g->replicas) cached(replica);
    }
  } else if (sub == "debug") {
    debug(client, args, out);
  } else if (sub == "config") {
    config(client, args, out);
  } else if (sub == "simulate-failure") {
    simulate_failure(client, args, out);
  } else if (sub == "help") {
    if (!arity(2)) return;
    static constexpr std::string_view kHelp[] = {
        "SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CKQUORUM <master-name>",
        "CONFIG GET <param>",
        "DEBUG [<param> <value> ...]",
        "FAILOVER <master-name>",
        "FLUSHCONFIG",
        "GET-MASTER-ADDR-BY-NAME <master-name>",
        "INFO-CACHE [<master-name> ...]",
        "IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
        "MASTER <master-name>",
        "MASTERS",
        "MONITOR <name> <ip> <port> <quorum>",
        "MYID",
        "PENDING-SCRIPTS",
        "REMOVE <master-name>",
        "REPLICAS <master-name>",
        "RESET <pattern>",
        "SENTINELS <master-name>",
        "SET <master-name> <option> <value> [<option> <value> ...]",
        "SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
        "HELP",
    };
    w.array(std::size(kHelp));
    for (std::string_view line : kHelp) w.simple_string(line);
  } else if (sub == "ckquorum") {
    if (arity(3)) ckquorum(client, args[2], out);
  } else {
    w.error("ERR unknown subcommand '" + std::string(args[1].substr(0, 128)) +
            "'. Try SENTINEL HELP.");
  }
}

// SENTINEL is-master-down-by-addr <ip> <port> <current-epoch> <runid|*>: may vote, and a
// vote is persisted (the shell runs the engine's PersistState) before the reply is written.
void SentinelCommands::is_master_down_by_addr(PortClient& client,
                                              std::span<const std::string_view> args,
                                              std::string& out) {
  RespWriter w(out, client.resp);
  const auto port = parse_u64(args[3]);
  const auto epoch = parse_u64(args[4]);
  if (!port || *port > 65535 || !epoch) {
    w.error("ERR value is not an integer or out of range");
    return;
  }
  const IsMasterDownAnswer answer = shell_.engine().answer_is_master_down(
      args[2], static_cast<int>(*port), *epoch, args[5], wall_clock_now());
  shell_.run_actions();
  w.array(3);
  w.integer(answer.down ? 1 : 0);
  w.bulk_string(answer.leader);
  w.integer(static_cast<std::int64_t>(answer.leader_epoch));
}

// SENTINEL CKQUORUM: sentinelIsQuorumReachable's checks and texts.
void SentinelCommands::ckquorum(PortClient& client, std::string_view name, std::string& out) {
  RespWriter w(out, client.resp);
  const Group* group = shell_.engine().group(name);
  if (group == nullptr) {
    w.error("ERR No such master with that name");
    return;
  }
  int voters = 1, usable = 1;  // ourselves
  for (const auto& [id, s] : group->sentinels) {
    ++voters;
    if (!s.s_down && !s.o_down) ++usable;
  }
  const int quorum = group->config.quorum;
  const std::string counted = std::to_string(usable) + " usable Sentinels.";
  if (usable < quorum) {
    w.error("NOQUORUM " + counted + " Not enough available Sentinels to reach the specified " +
            "quorum for this master");
  } else if (usable < voters / 2 + 1) {
    w.error("NOQUORUM " + counted + " Not enough available Sentinels to reach the majority " +
            "and authorize a failover");
  } else {
    w.simple_string("OK " + counted + " Quorum and failover authorization can be reached");
  }
}

namespace {

// SENTINEL DEBUG's names, in Sentinel's order.
struct DebugTimer {
  std::string_view name;
  Duration Timings::*field;
};
constexpr DebugTimer kDebugTimers[] = {
    {"INFO-PERIOD", &Timings::info_period},
    {"PING-PERIOD", &Timings::ping_period},
    {"ASK-PERIOD", &Timings::ask_period},
    {"PUBLISH-PERIOD", &Timings::publish_period},
    {"DEFAULT-DOWN-AFTER", &Timings::default_down_after},
    {"DEFAULT-FAILOVER-TIMEOUT", &Timings::default_failover_timeout},
    {"TILT-TRIGGER", &Timings::tilt_trigger},
    {"TILT-PERIOD", &Timings::tilt_period},
    {"SLAVE-RECONF-TIMEOUT", &Timings::slave_reconf_timeout},
    {"MIN-LINK-RECONNECT-PERIOD", &Timings::min_link_reconnect_period},
    {"ELECTION-TIMEOUT", &Timings::election_timeout},
    {"SCRIPT-MAX-RUNTIME", &Timings::script_max_runtime},
    {"SCRIPT-RETRY-DELAY", &Timings::script_retry_delay},
};

// mirrors getLongLongFromObject (string2ll): a strict decimal integer.
std::optional<long long> strict_long_long(std::string_view s) {
  std::int64_t v = 0;
  if (!protocol::parse_int64(s, v)) return std::nullopt;
  return v;
}

}  // namespace

void SentinelCommands::debug(PortClient& client, std::span<const std::string_view> args,
                             std::string& out) {
  RespWriter w(out, client.resp);
  if (args.size() == 2) {
    const Timings& timings = shell_.engine().timings();
    w.map(std::size(kDebugTimers));
    for (const DebugTimer& t : kDebugTimers) {
      w.bulk_string(t.name);
      const std::int64_t value =
          std::chrono::duration_cast<std::chrono::milliseconds>(timings.*(t.field)).count();
      w.bulk_string(std::to_string(value));
    }
    return;
  }
  // mirrors sentinelSetDebugConfigParameters: each pair applies as it is read, so the ones
  // before a refused one stay applied, as in Sentinel.
  for (std::size_t i = 2; i < args.size(); i += 2) {
    const DebugTimer* found = nullptr;
    for (const DebugTimer& t : kDebugTimers) {
      if (iequals(args[i], t.name)) found = &t;
    }
    if (found == nullptr || i + 1 >= args.size()) {
      w.error("ERR Unknown option or number of arguments for SENTINEL DEBUG '" +
              std::string(args[i]) + "'");
      return;
    }
    const auto value = strict_long_long(args[i + 1]);
    if (!value || *value <= 0) {
      w.error("ERR Invalid argument '" + std::string(args[i + 1]) + "' for SENTINEL DEBUG '" +
              std::string(args[i]) + "'");
      return;
    }
    Timings timings = shell_.engine().timings();
    timings.*(found->field) = ms(*value);
    shell_.engine().set_timings(timings);
  }
  w.simple_string("OK");
}

void SentinelCommands::config(PortClient& client, std::span<const std::string_view> args,
                              std::string& out) {
  RespWriter w(out, client.resp);
  const bool get = args.size() == 4 && iequals(args[2], "get");
  const bool set = args.size() == 5 && iequals(args[2], "set");
  if ((!get && !set) || !config_access_.get || !config_access_.set) {
    w.error("ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.");
    return;
  }
  if (set) {
    const std::string error = config_access_.set(args[3], args[4]);
    if (error.empty()) {
      w.simple_string("OK");
    } else {
      w.error("ERR " + error);
    }
    return;
  }
  const auto params = config_access_.get();
  std::size_t matches = 0;
  for (const auto& [name, value] : params) matches += protocol::glob_match(args[3], name);
  w.map(matches);
  for (const auto& [name, value] : params) {
    if (!protocol::glob_match(args[3], name)) continue;
    w.bulk_string(name);
    w.bulk_string(value);
  }
}

void SentinelCommands::simulate_failure(PortClient& client, std::span<const std::string_view> args,
                                        std::string& out) {
  RespWriter w(out, client.resp);
  if (args.size() < 3) return wrong_arity("sentinel|simulate-failure", w);
  SimulatedFailures failures;
  for (std::size_t i = 2; i < args.size(); ++i) {
    if (iequals(args[i], "crash-after-election")) {
      failures.crash_after_election = true;
    } else if (iequals(args[i], "crash-after-promotion")) {
      failures.crash_after_promotion = true;
    } else if (iequals(args[i], "help")) {
      w.array(2);
      w.bulk_string("crash-after-election");
      w.bulk_string("crash-after-promotion");
      return;
    } else {
      w.error("ERR Unknown failure simulation specified");
      return;
    }
  }
  simulated_failures_ = failures;
  w.simple_string("OK");
}

void SentinelCommands::info(PortClient& client, std::span<const std::string_view> args,
                            std::string& out) {
  RespWriter w(out, client.resp);
  auto wanted = [&](std::string_view section) {
    if (args.size() < 2) return true;
    for (std::size_t i = 1; i < args.size(); ++i) {
      if (iequals(args[i], section) || iequals(args[i], "all") || iequals(args[i], "everything") ||
          iequals(args[i], "default")) {
        return true;
      }
    }
    return false;
  };
  std::string text;
  auto section = [&](std::string_view title, const std::string& body) {
    if (!text.empty()) text += "\r\n";
    text += "# " + std::string(title) + "\r\n" + body;
  };
  if (wanted("server")) section("Server", info_server_section());
  if (wanted("clients")) section("Clients", info_clients_section());
  if (wanted("stats")) section("Stats", info_stats_section());
  if (wanted("cpu")) section("CPU", info_cpu_section());
  if (wanted("sentinel")) section("Sentinel", info_sentinel_section());
  w.bulk_string(text);  // Sentinel's INFO is a bulk string in RESP3 too
}

std::string SentinelCommands::info_server_section() const {
  const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::steady_clock::now() - facts_.started)
                          .count();
  const auto now_usec = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  struct utsname name {};
  ::uname(&name);
  return "redis_version:" + facts_.version +
         "\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:0\r\n"
         "redis_mode:sentinel\r\nos:" +
         std::string(name.sysname) + " " + name.release + " " + name.machine +
         "\r\narch_bits:" + std::to_string(sizeof(void*) * 8) +
         "\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\n"
         "atomicvar_api:c11-builtin\r\ngcc_version:" +
         std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
         std::to_string(__GNUC_PATCHLEVEL__) + "\r\nprocess_id:" + std::to_string(::getpid()) +
         "\r\nprocess_supervised:no\r\nrun_id:" + facts_.run_id +
         "\r\ntcp_port:" + std::to_string(facts_.port) +
         "\r\nserver_time_usec:" + std::to_string(now_usec) +
         "\r\nuptime_in_seconds:" + std::to_string(uptime) +
         "\r\nuptime_in_days:" + std::to_string(uptime / 86400) +
         "\r\nhz:10\r\nconfigured_hz:10\r\nexecutable:" + facts_.executable +
         "\r\nconfig_file:" + facts_.config_file + "\r\nio_threads_active:0\r\n";
}

std::string SentinelCommands::info_clients_section() const {
  std::size_t clients = 0;
  std::size_t max_input = 0;
  std::size_t max_output = 0;
  if (port_ != nullptr) {
    for (const PortClient* client : port_->client_list()) {
      ++clients;
      max_input = std::max(max_input, client->query_buffer);
      max_output = std::max(max_output, client->output_buffer);
    }
  }
  return "connected_clients:" + std::to_string(clients) +
         "\r\ncluster_connections:0\r\nmaxclients:" +
         std::to_string(port_ != nullptr ? port_->max_clients() : 10000) +
         "\r\nclient_recent_max_input_buffer:" + std::to_string(max_input) +
         "\r\nclient_recent_max_output_buffer:" + std::to_string(max_output) +
         "\r\nblocked_clients:0\r\ntracking_clients:0\r\nclients_in_timeout_table:0\r\n";
}

// The port's own counters; the keyspace, replication and eviction counters a Sentinel
// reports are always zero there, and are zero here for the same reason.
std::string SentinelCommands::info_stats_section() const {
  const PortStats stats = port_ != nullptr ? port_->stats() : PortStats{};
  std::set<std::string_view> channels;
  std::set<std::string_view> patterns;
  if (port_ != nullptr) {
    for (const PortClient* client : port_->client_list()) {
      channels.insert(client->channels.begin(), client->channels.end());
      patterns.insert(client->patterns.begin(), client->patterns.end());
    }
  }
  auto n = [](std::uint64_t v) { return std::to_string(v); };
  return "total_connections_received:" + n(stats.connections_received) +
         "\r\ntotal_commands_processed:" + n(stats.commands_processed) +
         "\r\ntotal_net_input_bytes:" + n(stats.net_input_bytes) +
         "\r\ntotal_net_output_bytes:" + n(stats.net_output_bytes) +
         "\r\ntotal_net_repl_input_bytes:0\r\ntotal_net_repl_output_bytes:0\r\n"
         "rejected_connections:" +
         n(stats.rejected_connections) +
         "\r\nsync_full:0\r\nsync_partial_ok:0\r\n"
         "sync_partial_err:0\r\nexpired_keys:0\r\nevicted_keys:0\r\nevicted_clients:0\r\n"
         "keyspace_hits:0\r\nkeyspace_misses:0\r\npubsub_channels:" +
         n(channels.size()) + "\r\npubsub_patterns:" + n(patterns.size()) +
         "\r\npubsubshard_channels:0\r\nlatest_fork_usec:0\r\ntotal_forks:0\r\n"
         "unexpected_error_replies:0\r\ntotal_error_replies:" +
         n(stats.error_replies) + "\r\ntotal_reads_processed:" + n(stats.reads_processed) +
         "\r\ntotal_writes_processed:" + n(stats.writes_processed) + "\r\n";
}

std::string SentinelCommands::info_cpu_section() const {
  auto seconds = [](const timeval& t) {
    char text[32];
    std::snprintf(text, sizeof text, "%ld.%06ld", static_cast<long>(t.tv_sec),
                  static_cast<long>(t.tv_usec));
    return std::string(text);
  };
  struct rusage self {};
  struct rusage children {};
  struct rusage thread {};
  ::getrusage(RUSAGE_SELF, &self);
  ::getrusage(RUSAGE_CHILDREN, &children);
  ::getrusage(RUSAGE_THREAD, &thread);
  return "used_cpu_sys:" + seconds(self.ru_stime) + "\r\nused_cpu_user:" + seconds(self.ru_utime) +
         "\r\nused_cpu_sys_children:" + seconds(children.ru_stime) +
         "\r\nused_cpu_user_children:" + seconds(children.ru_utime) +
         "\r\nused_cpu_sys_main_thread:" + seconds(thread.ru_stime) +
         "\r\nused_cpu_user_main_thread:" + seconds(thread.ru_utime) + "\r\n";
}

std::string SentinelCommands::info_sentinel_section() const {
  const Engine& engine = shell_.engine();
  // Seconds in TILT mode, -1 when not in it.
  const std::string tilt_since =
      engine.tilt() ? std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                         wall_clock_now() - engine.tilt_start())
                                         .count())
                    : "-1";
  const std::size_t running_scripts = scripts_ != nullptr ? scripts_->running() : 0;
  const std::size_t queued_scripts = scripts_ != nullptr ? scripts_->queued() : 0;
  std::string text =
      "sentinel_masters:" + std::to_string(engine.groups().size()) +
      "\r\nsentinel_tilt:" + (engine.tilt() ? "1" : "0") +
      "\r\nsentinel_tilt_since_seconds:" + tilt_since +
      "\r\nsentinel_running_scripts:" + std::to_string(running_scripts) +
      "\r\nsentinel_scripts_queue_length:" + std::to_string(queued_scripts) +
      "\r\nsentinel_simulate_failure_flags:" + std::to_string(simulated_failures_.flags()) +
      // Ours, not Sentinel's: rewrites of the config file that failed (a
      // failed save is retried at the next change instead of exiting).
      "\r\nsentinel_config_save_failures:" + std::to_string(config_save_failures_) + "\r\n";
  int n = 0;
  for (const Group& group : engine.groups()) {
    const Address addr = engine.master_address(group.config.name).value_or(group.master.addr);
    const char* status = group.master.o_down ? "odown" : group.master.s_down ? "sdown" : "ok";
    text += "master" + std::to_string(n++) + ":name=" + group.config.name + ",status=" + status +
            ",address=" + Address{engine.announced(addr), addr.port}.to_string() +
            ",slaves=" + std::to_string(group.replicas.size()) +
            ",sentinels=" + std::to_string(group.sentinels.size() + 1) + "\r\n";
  }
  return text;
}

void SentinelCommands::role(PortClient& client, std::string& out) {
  RespWriter w(out, client.resp);
  const auto& groups = shell_.engine().groups();
  w.array(2);
  w.bulk_string("sentinel");
  w.array(groups.size());
  for (const Group& group : groups) w.bulk_string(group.config.name);
}

// Sentinel accepts PUBLISH only for hellos sent straight to it by peers.
void SentinelCommands::publish(PortClient& client, std::span<const std::string_view> args,
                               std::string& out) {
  RespWriter w(out, client.resp);
  if (args.size() != 3) return wrong_arity("publish", w);
  if (args[1] != "__sentinel__:hello") {
    w.error("ERR Only HELLO messages are accepted by Sentinel instances.");
    return;
  }
  shell_.engine().on_event(HelloReceived{std::string(args[2]), false}, wall_clock_now());
  shell_.run_actions();
  w.integer(1);
}

// HELLO [protover [AUTH user pass] [SETNAME name]], checked in Redis's order.
void SentinelCommands::hello(PortClient& client, std::span<const std::string_view> args,
                             std::string& out) {
  std::optional<protocol::RespVersion> version;
  if (args.size() >= 2) {
    const auto number = parse_u64(args[1]);
    if (!number || *number < 2 || *number > 3) {
      RespWriter(out, client.resp).error("NOPROTO unsupported protocol version");
      return;
    }
    version = *number == 3 ? protocol::RespVersion::kResp3 : protocol::RespVersion::kResp2;
  }
  std::optional<std::pair<std::string_view, std::string_view>> credentials;
  std::optional<std::string_view> name;
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::size_t left = args.size() - i - 1;
    if (iequals(args[i], "auth") && left >= 2) {
      credentials.emplace(args[i + 1], args[i + 2]);
      i += 2;
    } else if (iequals(args[i], "setname") && left >= 1) {
      name = args[++i];
    } else {
      RespWriter(out, client.resp)
          .error("ERR Syntax error in HELLO option '" + std::string(args[i]) + "'");
      return;
    }
  }
  if (credentials && !authenticate(client, credentials->first, credentials->second, "HELLO", out)) {
    return;
  }
  if (!client.authenticated) {
    RespWriter(out, client.resp)
        .error(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
            "HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
            "the RESP protocol version at the same time");
    return;
  }
  if (name) {
    if (!valid_client_name(*name)) {
      RespWriter(out, client.resp)
          .error("ERR Client names cannot contain spaces, newlines or special characters.");
      return;
    }
    client.name = std::string(*name);
  }
  if (version) client.resp = *version;
  RespWriter w(out, client.resp);
  // In sentinel mode Redis leaves out the `role` field.
  w.map(6);
  w.bulk_string("server");
  w.bulk_string("redis");
  w.bulk_string("version");
  w.bulk_string(facts_.version);
  w.bulk_string("proto");
  w.integer(client.resp == protocol::RespVersion::kResp3 ? 3 : 2);
  w.bulk_string("id");
  w.integer(static_cast<std::int64_t>(client.id));
  w.bulk_string("mode");
  w.bulk_string("sentinel");
  w.bulk_string("modules");
  w.array(0);
}

// AUTH [<user>] <password> against the ACL users, with Redis's replies.
void SentinelCommands::auth(PortClient& client, std::span<const std::string_view> args,
                            std::string& out) {
  RespWriter w(out, client.resp);
  if (args.size() < 2) return wrong_arity("auth", w);
  if (args.size() > 3) return void(w.error("ERR syntax error"));
  const AclUser* default_user = acl_users_.find("default");
  if (args.size() == 2 && default_user != nullptr && default_user->nopass) {
    w.error(
        "ERR AUTH <password> called without any password configured for the default user. "
        "Are you sure your configuration is correct?");
    return;
  }
  if (authenticate(client, args.size() == 3 ? args[1] : "default", args.back(), "AUTH", out)) {
    w.simple_string("OK");
  }
}

bool SentinelCommands::authenticate(PortClient& client, std::string_view user,
                                    std::string_view password, std::string_view command,
                                    std::string& out) {
  if (!acl_users_.check_password(user, password)) {
    acl_log_.add("auth", command, user, client);
    RespWriter(out, client.resp)
        .error("WRONGPASS invalid username-password pair or user is disabled.");
    return false;
  }
  client.authenticated = true;
  client.user = std::string(user);
  return true;
}

bool SentinelCommands::admit(PortClient& client, std::span<const std::string_view> args,
                             std::string& out) {
  const AclUser* user = acl_users_.find(client.user);
  if (user == nullptr) return true;  // deleted meanwhile: its connection is closing
  RespWriter w(out, client.resp);
  if (!AclUsers::may_run(*user, args)) {
    const SentinelCommandSpec* spec = sentinel_command_for(args);
    acl_log_.add("command", spec->name, user->name, client);
    w.error("NOPERM this user has no permissions to run the '" + std::string(spec->name) +
            "' command");
    return false;
  }
  const bool publish = iequals(args[0], "publish") && args.size() >= 2;
  const bool subscribe = iequals(args[0], "subscribe") || iequals(args[0], "psubscribe");
  if (!publish && !subscribe) return true;
  const auto channels = publish ? args.subspan(1, 1) : args.subspan(1);
  for (std::string_view channel : channels) {
    if (!AclUsers::may_use_channel(*user, channel, iequals(args[0], "psubscribe"))) {
      acl_log_.add("channel", channel, user->name, client);
      w.error(
          "NOPERM this user has no permissions to access one of the channels used as "
          "arguments");
      return false;
    }
  }
  return true;
}

std::vector<std::string> SentinelCommands::acl_user_lines() const {
  std::vector<std::string> lines;
  for (const AclUser* user : acl_users_.users()) lines.push_back(AclUsers::config_line(*user));
  return lines;
}

}  // namespace sp::sentinel::io

#include "proxy/admin/proxy_commands.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "protocol/command_table.h"
#include "protocol/writer.h"
#include "proxy/admin/proxy_config.h"
#include "proxy/failover/failover_history_reply.h"
#include "sp/version.h"

namespace sp::proxy {
namespace {

using protocol::RespVersion;
using protocol::RespWriter;

std::int64_t sum(const ProxyContext& context, StatCounter WorkerStats::*counter) {
  std::int64_t total = 0;
  for (const auto& stats : context.worker_stats) total += ((*stats).*counter).get();
  return total;
}

void append_commandstats(std::string& text, const ProxyContext& context) {
  text += "\r\n# Commandstats\r\n";
  for (std::size_t slot = 0; slot < command_slot_count(); ++slot) {
    std::int64_t ok = 0;
    std::int64_t failed = 0;
    for (const auto& stats : context.worker_stats) {
      ok += stats->commands[slot * 2].get();
      failed += stats->commands[slot * 2 + 1].get();
    }
    if (ok + failed == 0) continue;
    text += "cmdstat_";
    text += command_slot_name(slot);
    text += ":calls=" + std::to_string(ok + failed) + ",failed_calls=" + std::to_string(failed) +
            "\r\n";
  }
}

// Where the master's address comes from: the `upstream` directive, the sentinel inside,
// or the sentinels followed.
std::string_view mode_of(const Config& config) {
  if (!config.follow_name.empty()) return "follow";
  return config.sentinel_managed ? "sentinel" : "static";
}

std::string info_text(const ProxyContext& context, const SessionView& session) {
  const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::steady_clock::now() - context.started);
  const ConfigPtr settings = context.settings.current();
  std::string text = "# Proxy\r\n";
  text += std::string("version:") + kVersion + "\r\n";
  text += "process_id:" + std::to_string(::getpid()) + "\r\n";
  text += "uptime_in_seconds:" + std::to_string(uptime.count()) + "\r\n";
  text += "io_threads:" + std::to_string(context.worker_stats.size()) + "\r\n";
  text += "\r\n# Clients\r\n";
  text += "connected_clients:" + std::to_string(sum(context, &WorkerStats::connected_clients)) +
          "\r\nmaxclients:" + std::to_string(settings->maxclients) +
          "\r\ntotal_connections_received:" +
          std::to_string(sum(context, &WorkerStats::connections_accepted)) +
          "\r\nrejected_connections:" +
          std::to_string(sum(context, &WorkerStats::connections_rejected)) +
          "\r\nprotected_mode:" + (settings->protected_mode ? "yes" : "no") +
          "\r\nprotected_mode_denied:" +
          std::to_string(sum(context, &WorkerStats::protected_mode_denied)) +
          "\r\nmaster_auth:" + std::string(to_string(context.master_auth.load())) +
          "\r\nproxy_commands_refused:" +
          std::to_string(sum(context, &WorkerStats::proxy_commands_refused)) + "\r\n";
  text += "\r\n# Upstream\r\n";
  if (session.topology != nullptr) {
    text += "group:" + session.topology->group + "\r\n";
    text += "master_address:" + session.topology->master_address() + "\r\n";
    text += "topology_epoch:" + std::to_string(session.topology->epoch) + "\r\n";
  }
  text += "mode:" + std::string(mode_of(context.config)) + "\r\n";
  if (!context.config.follow_name.empty()) {
    text += "followed_sentinel:" +
            (context.followed_sentinel ? context.followed_sentinel() : std::string()) + "\r\n";
  }
  text += std::string("master_link_status:") + (session.backend_connected ? "up" : "down") +
          "\r\nbackend_connect_failures:" +
          std::to_string(sum(context, &WorkerStats::backend_connect_failures)) +
          "\r\nbackend_pool_size:" + std::to_string(context.config.backend_pool_size) +
          "\r\nsessions_pinned:" + std::to_string(sum(context, &WorkerStats::sessions_pinned)) +
          "\r\n";
  text += "\r\n# Failover\r\n";
  const TopologyPtr current = context.registry.current();
  text +=
      std::string("failover_in_progress:") +
      (current && current->failover_in_progress ? "1" : "0") + "\r\nfailover_hold_ms:" +
      std::to_string(std::max<std::int64_t>(0, settings->hold().count())) +
      "\r\nsessions_held:" + std::to_string(sum(context, &WorkerStats::sessions_held)) +
      "\r\nheld_commands:" + std::to_string(sum(context, &WorkerStats::held_commands)) +
      "\r\nholds:" + std::to_string(sum(context, &WorkerStats::holds)) +
      "\r\nhold_timeouts:" + std::to_string(sum(context, &WorkerStats::hold_timeouts)) +
      "\r\nsessions_migrated:" + std::to_string(sum(context, &WorkerStats::sessions_migrated)) +
      "\r\nsessions_closed_at_swap:" +
      std::to_string(sum(context, &WorkerStats::sessions_closed_at_swap)) +
      "\r\ntransactions_aborted:" + std::to_string(sum(context, &WorkerStats::exec_aborted)) +
      "\r\ncommands_retried:" + std::to_string(sum(context, &WorkerStats::commands_retried)) +
      "\r\nfence_on_minority:" + (settings->fence_on_minority ? "yes" : "no") +
      "\r\nwrites_fenced:" + (current && current->writes_fenced ? "1" : "0") +
      "\r\nwrites_refused_fenced:" +
      std::to_string(sum(context, &WorkerStats::writes_refused_fenced)) +
      "\r\nwrite_durability:" + (settings->write_durability ? "replica" : "async") +
      "\r\ndurability_waits:" + std::to_string(sum(context, &WorkerStats::durability_waits)) +
      "\r\nwrites_unconfirmed:" + std::to_string(sum(context, &WorkerStats::writes_unconfirmed)) +
      "\r\n";
  text += failover_info_fields(context.failovers);
  text += "\r\n# Stats\r\n";
  text += "client_bytes_in:" + std::to_string(sum(context, &WorkerStats::client_bytes_in)) +
          "\r\nclient_bytes_out:" + std::to_string(sum(context, &WorkerStats::client_bytes_out)) +
          "\r\nbuffer_bytes:" + std::to_string(sum(context, &WorkerStats::buffer_bytes)) + "\r\n";
  append_commandstats(text, context);
  return text;
}

std::string topology_reply(const SessionView& session) {
  std::string out;
  RespWriter w(out, session.resp_version == 3 ? RespVersion::kResp3 : RespVersion::kResp2);
  if (session.topology == nullptr) {
    w.error("ERR no topology yet");
    return out;
  }
  const Topology& t = *session.topology;
  w.map(4);
  w.bulk_string("group").bulk_string(t.group);
  w.bulk_string("master-host").bulk_string(t.master_host);
  w.bulk_string("master-port").integer(t.master_port);
  w.bulk_string("epoch").integer(static_cast<std::int64_t>(t.epoch));
  return out;
}

std::string help_reply(const SessionView& session) {
  static const std::vector<std::string_view> lines = {
      "PROXY <subcommand> [<arg> ...]. Subcommands are:",
      "INFO",
      "    Version, uptime, clients, upstream master and state, per-command counters.",
      "TOPOLOGY",
      "    The group, its current master and the topology epoch.",
      "FAILOVER [<replica-ip:port>]",
      "    A planned switchover: this proxy's sentinel promotes the best replica, or the one",
      "    named; clients are held meanwhile, and the old master is made a replica.",
      "FAILOVER HISTORY",
      "    The last failovers of the group, newest first, with their phase timings.",
      "CONFIG GET|SET|REWRITE|HELP ...",
      "    The proxy's own settings, as Redis's CONFIG: SET changes them while clients stay",
      "    connected; REWRITE writes them into the config file.",
      "HELP",
      "    Print this help."};
  std::string out;
  RespWriter w(out, session.resp_version == 3 ? RespVersion::kResp3 : RespVersion::kResp2);
  w.array(lines.size());
  for (auto line : lines) w.simple_string(line);
  return out;
}

}  // namespace

std::string proxy_command_reply(std::span<const std::string_view> args, ProxyContext& context,
                                const SessionView& session) {
  std::string out;
  RespWriter w(out, session.resp_version == 3 ? RespVersion::kResp3 : RespVersion::kResp2);
  if (args.size() < 2) {
    w.error("ERR wrong number of arguments for 'proxy' command");
    return out;
  }
  const std::string_view sub = args[1];
  if (protocol::iequals(sub, "info")) {
    w.bulk_string(info_text(context, session));
  } else if (protocol::iequals(sub, "topology")) {
    return topology_reply(session);
  } else if (protocol::iequals(sub, "failover") && args.size() == 3 &&
             protocol::iequals(args[2], "history")) {
    // A replica address (PROXY FAILOVER <host:port>) always has a ':'; HISTORY never does.
    return failover_history_reply(context.failovers, session.resp_version);
  } else if (is_failover_request(args)) {
    // With the sentinel inside, the session asks it (request_failover) and answers later.
    w.error(context.request_failover
                ? "ERR PROXY FAILOVER is answered by the session"
                : "ERR PROXY FAILOVER needs the sentinel inside (sentinel monitor lines); with "
                  "sentinel-follow, send SENTINEL FAILOVER to one of the followed sentinels");
  } else if (protocol::iequals(sub, "config")) {
    return proxy_config_reply(args, context, session.resp_version);
  } else if (protocol::iequals(sub, "help")) {
    return help_reply(session);
  } else {
    return unknown_proxy_subcommand_reply(sub);
  }
  return out;
}

bool is_failover_request(std::span<const std::string_view> args) {
  return args.size() >= 2 && args.size() <= 3 && protocol::iequals(args[1], "failover") &&
         !(args.size() == 3 && protocol::iequals(args[2], "history"));
}

std::string failover_request_reply(std::string_view error) {
  std::string out;
  if (error.empty()) {
    RespWriter(out).simple_string("OK");
  } else {
    RespWriter(out).error(error);
  }
  return out;
}

std::string unknown_proxy_subcommand_reply(std::string_view sub) {
  std::string out;
  RespWriter(out).error("ERR unknown subcommand '" + std::string(sub.substr(0, 128)) +
                        "'. Try PROXY HELP.");
  return out;
}

std::string master_unreachable_reply(const Topology& topology, std::string_view cause) {
  std::string out;
  RespWriter(out).error("ERR sentinel-proxy: master of '" + topology.group + "' (" +
                        topology.master_address() + ") unreachable: " + std::string(cause));
  return out;
}

std::string hold_expired_reply(const Topology& topology, std::chrono::milliseconds hold) {
  std::string out;
  RespWriter(out).error("MASTERDOWN sentinel-proxy: no master for '" + topology.group +
                        "' after holding the command for " + std::to_string(hold.count()) +
                        " ms (failover-hold-ms)");
  return out;
}

std::string writes_fenced_reply(const Topology& topology) {
  std::string out;
  RespWriter(out).error("MASTERDOWN sentinel-proxy: writes to '" + topology.group +
                        "' are refused: this proxy's sentinel cannot reach a majority of the "
                        "group's sentinels (fence-on-minority)");
  return out;
}

std::string client_reply_refused_reply() {
  std::string out;
  RespWriter(out).error(
      "ERR sentinel-proxy: CLIENT REPLY OFF and SKIP are not available with write-durability "
      "replica (each write's reply confirms it)");
  return out;
}

}  // namespace sp::proxy

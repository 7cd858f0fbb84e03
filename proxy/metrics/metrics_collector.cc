#include "proxy/metrics/metrics_collector.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <string>

#include "proxy/failover/failover_metrics.h"
#include "proxy/metrics/metric_family.h"
#include "proxy/metrics/process_metrics.h"
#include "proxy/metrics/sentinel_metrics.h"
#include "proxy/metrics/tls_metrics.h"
#include "sp/version.h"

namespace sp::proxy {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

std::int64_t sum(const ProxyContext& context, StatCounter WorkerStats::*counter) {
  std::int64_t total = 0;
  for (const auto& stats : context.worker_stats) total += ((*stats).*counter).get();
  return total;
}

void add_simple(std::vector<MetricFamily>& out, const ProxyContext& context, const char* name,
                const char* help, MetricType type, StatCounter WorkerStats::*counter) {
  auto f = family(name, help, type);
  f.metric.push_back(sample(static_cast<double>(sum(context, counter)), type));
  out.push_back(std::move(f));
}

void add_bytes(std::vector<MetricFamily>& out, const ProxyContext& context) {
  auto f = family("sentinel_proxy_bytes_total", "Bytes moved, by side and direction.",
                  MetricType::Counter);
  const struct {
    const char* side;
    const char* direction;
    StatCounter WorkerStats::*counter;
  } rows[] = {{"client", "in", &WorkerStats::client_bytes_in},
              {"client", "out", &WorkerStats::client_bytes_out},
              {"backend", "in", &WorkerStats::backend_bytes_in},
              {"backend", "out", &WorkerStats::backend_bytes_out}};
  for (const auto& row : rows) {
    f.metric.push_back(sample(static_cast<double>(sum(context, row.counter)), MetricType::Counter,
                              {{"direction", row.direction}, {"side", row.side}}));
  }
  out.push_back(std::move(f));
}

void add_commands(std::vector<MetricFamily>& out, const ProxyContext& context) {
  auto f =
      family("sentinel_proxy_commands_total",
             "Commands answered, by command name and result (ok or error).", MetricType::Counter);
  for (std::size_t slot = 0; slot < command_slot_count(); ++slot) {
    for (int error = 0; error < 2; ++error) {
      std::int64_t n = 0;
      for (const auto& stats : context.worker_stats) n += stats->commands[slot * 2 + error].get();
      if (n == 0) continue;
      f.metric.push_back(sample(
          static_cast<double>(n), MetricType::Counter,
          {{"command", std::string(command_slot_name(slot))}, {"result", error ? "error" : "ok"}}));
    }
  }
  out.push_back(std::move(f));
}

void add_latency(std::vector<MetricFamily>& out, const ProxyContext& context) {
  auto f = family("sentinel_proxy_command_duration_seconds",
                  "Proxy-observed command latency: first byte in to last reply byte written.",
                  MetricType::Histogram);
  ClientMetric m;
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b <= kLatencyBounds.size(); ++b) {
    for (const auto& stats : context.worker_stats) {
      cumulative += static_cast<std::uint64_t>(stats->latency_buckets[b].get());
    }
    ClientMetric::Bucket bucket;
    bucket.cumulative_count = cumulative;
    bucket.upper_bound =
        b < kLatencyBounds.size() ? kLatencyBounds[b] : std::numeric_limits<double>::infinity();
    m.histogram.bucket.push_back(bucket);
  }
  m.histogram.sample_count = cumulative;
  m.histogram.sample_sum = static_cast<double>(sum(context, &WorkerStats::latency_sum_ns)) / 1e9;
  f.metric.push_back(std::move(m));
  out.push_back(std::move(f));
}

void add_topology(std::vector<MetricFamily>& out, const ProxyContext& context) {
  const TopologyPtr topology = context.registry.current();
  if (!topology) return;
  auto master = family("sentinel_proxy_master_info",
                       "The group's current master (value 1; the address is in the labels).",
                       MetricType::Gauge);
  master.metric.push_back(sample(
      1, MetricType::Gauge, {{"address", topology->master_address()}, {"group", topology->group}}));
  out.push_back(std::move(master));
  auto epoch = family("sentinel_proxy_topology_epoch", "Config epoch of the current topology.",
                      MetricType::Gauge);
  epoch.metric.push_back(sample(static_cast<double>(topology->epoch), MetricType::Gauge,
                                {{"group", topology->group}}));
  out.push_back(std::move(epoch));
  // Reachable as far as the last connection attempt (any worker) knows.
  std::int64_t last_ok = 0;
  std::int64_t last_fail = 0;
  for (const auto& stats : context.worker_stats) {
    last_ok = std::max(last_ok, stats->last_connect_ok_ns.get());
    last_fail = std::max(last_fail, stats->last_connect_fail_ns.get());
  }
  auto up = family("sentinel_proxy_master_reachable",
                   "1 if the last backend connection attempt succeeded (or none failed yet).",
                   MetricType::Gauge);
  up.metric.push_back(
      sample(last_fail > last_ok ? 0 : 1, MetricType::Gauge, {{"group", topology->group}}));
  out.push_back(std::move(up));
}

// Failovers as the client sessions live them.
void add_failover(std::vector<MetricFamily>& out, const ProxyContext& c) {
  add_simple(out, c, "sentinel_proxy_sessions_held",
             "Sessions holding commands now, waiting for a master.", MetricType::Gauge,
             &WorkerStats::sessions_held);
  add_simple(out, c, "sentinel_proxy_held_commands",
             "Commands held now, waiting for a master (held sessions' queues, summed).",
             MetricType::Gauge, &WorkerStats::held_commands);
  add_simple(out, c, "sentinel_proxy_holds_total",
             "Times a session began to hold commands for want of a master.", MetricType::Counter,
             &WorkerStats::holds);
  auto held =
      family("sentinel_proxy_hold_seconds_total",
             "Time sessions spent holding commands, summed over sessions.", MetricType::Counter);
  held.metric.push_back(
      sample(static_cast<double>(sum(c, &WorkerStats::hold_ns)) / 1e9, MetricType::Counter));
  out.push_back(std::move(held));
  add_simple(out, c, "sentinel_proxy_hold_timeouts_total",
             "Commands answered with an error after failover-hold-ms without a master.",
             MetricType::Counter, &WorkerStats::hold_timeouts);
  add_simple(out, c, "sentinel_proxy_sessions_migrated_total",
             "Sessions moved to a new master with their state replayed.", MetricType::Counter,
             &WorkerStats::sessions_migrated);
  add_simple(out, c, "sentinel_proxy_sessions_pinned_total",
             "Pooled sessions given a master connection of their own by a command that binds "
             "state to it (backend-pool-size).",
             MetricType::Counter, &WorkerStats::sessions_pinned);
  add_simple(out, c, "sentinel_proxy_sessions_closed_at_swap_total",
             "Sessions closed at a master swap with commands in flight on the old master.",
             MetricType::Counter, &WorkerStats::sessions_closed_at_swap);
  add_simple(out, c, "sentinel_proxy_transactions_aborted_total",
             "EXECs failed because the session moved to a new master inside MULTI or WATCH.",
             MetricType::Counter, &WorkerStats::exec_aborted);
  add_simple(out, c, "sentinel_proxy_writes_refused_fenced_total",
             "Writes refused because the sentinel could not reach a majority (fence-on-minority).",
             MetricType::Counter, &WorkerStats::writes_refused_fenced);
  add_simple(out, c, "sentinel_proxy_durability_waits_total",
             "Runs of client writes confirmed by a WAIT (write-durability replica; in pooled "
             "mode the sessions of one pass share one WAIT).",
             MetricType::Counter, &WorkerStats::durability_waits);
  add_simple(out, c, "sentinel_proxy_writes_unconfirmed_total",
             "Writes that ran on the master but too few replicas confirmed in time: the client got "
             "-NOREPLICAS (write-durability replica).",
             MetricType::Counter, &WorkerStats::writes_unconfirmed);
  add_simple(out, c, "sentinel_proxy_commands_retried_total",
             "Commands a demoted master refused (-READONLY, or -UNBLOCKED for a blocking "
             "command), sent again to the new master.",
             MetricType::Counter, &WorkerStats::commands_retried);
  add_simple(out, c, "sentinel_proxy_proxy_commands_refused_total",
             "PROXY commands refused: the client was not authenticated, or may not run "
             "FAILOVER on the master.",
             MetricType::Counter, &WorkerStats::proxy_commands_refused);
  add_simple(out, c, "sentinel_proxy_protected_mode_denied_total",
             "Clients from other hosts refused in protected mode.", MetricType::Counter,
             &WorkerStats::protected_mode_denied);
  const TopologyPtr topology = c.registry.current();
  if (!topology) return;
  add_single(out, "sentinel_proxy_failover_in_progress",
             "1 while the sentinel finds the master down and clients hold commands.",
             MetricType::Gauge, topology->failover_in_progress ? 1 : 0,
             {{"group", topology->group}});
  add_single(out, "sentinel_proxy_writes_fenced",
             "1 while writes are refused: the sentinel cannot reach a majority of its group's "
             "sentinels (fence-on-minority).",
             MetricType::Gauge, topology->writes_fenced ? 1 : 0, {{"group", topology->group}});
}

}  // namespace

std::vector<MetricFamily> MetricsCollector::Collect() const {
  std::vector<MetricFamily> out;
  const ProxyContext& c = context_;
  add_build_and_uptime(out, c.started);
  add_process_metrics(out);
  add_simple(out, c, "sentinel_proxy_connected_clients", "Client connections open.",
             MetricType::Gauge, &WorkerStats::connected_clients);
  add_simple(out, c, "sentinel_proxy_connections_accepted_total", "Client connections accepted.",
             MetricType::Counter, &WorkerStats::connections_accepted);
  add_simple(out, c, "sentinel_proxy_connections_rejected_total",
             "Client connections refused because maxclients was reached.", MetricType::Counter,
             &WorkerStats::connections_rejected);
  add_simple(out, c, "sentinel_proxy_backend_connects_total",
             "Backend connections opened to the master.", MetricType::Counter,
             &WorkerStats::backend_connects);
  add_simple(out, c, "sentinel_proxy_backend_connect_failures_total",
             "Backend connections to the master that failed.", MetricType::Counter,
             &WorkerStats::backend_connect_failures);
  add_simple(out, c, "sentinel_proxy_protocol_errors_total",
             "Clients closed for malformed requests.", MetricType::Counter,
             &WorkerStats::protocol_errors);
  add_simple(out, c, "sentinel_proxy_limit_closes_total",
             "Clients closed for a buffer limit or the idle timeout.", MetricType::Counter,
             &WorkerStats::limit_closes);
  add_simple(out, c, "sentinel_proxy_buffer_bytes", "Receive buffer memory held by sessions.",
             MetricType::Gauge, &WorkerStats::buffer_bytes);
  add_failover(out, c);
  if (c.config.sentinel_managed) add_failover_history(out, c.failovers, c.config.group_name);
  add_tls_metrics(out, {{"proxy", c.tls}, {"sentinel", c.sentinel_tls}});
  if (c.sentinel_counts) {
    const ProxyContext::SentinelCounts counts = c.sentinel_counts();
    add_sentinel_counts(out, counts.hellos_rejected, counts.config_save_failures);
  }
  add_bytes(out, c);
  add_commands(out, c);
  add_latency(out, c);
  add_topology(out, c);
  return out;
}

}  // namespace sp::proxy

#include "proxy/metrics/sentinel_metrics.h"

#include <string>

#include "proxy/metrics/metric_family.h"
#include "sentinel/engine.h"
#include "sp/version.h"

namespace sp::proxy {
namespace {

using prometheus::MetricFamily;
using prometheus::MetricType;

// One gauge sample per group, labelled with its name.
template <typename Value>
void add_per_group(std::vector<MetricFamily>& out, const sentinel::Engine& engine,
                   const std::string& name, const std::string& help, Value value_of) {
  auto f = family(name, help, MetricType::Gauge);
  for (const sentinel::Group& g : engine.groups()) {
    f.metric.push_back(sample(value_of(g), MetricType::Gauge, {{"master", g.config.name}}));
  }
  out.push_back(std::move(f));
}

}  // namespace

void add_build_and_uptime(std::vector<MetricFamily>& out,
                          std::chrono::steady_clock::time_point started) {
  add_single(out, "sentinel_proxy_build_info", "Version of the running proxy.", MetricType::Gauge,
             1, {{"version", kVersion}});
  add_single(out, "sentinel_proxy_uptime_seconds", "Seconds since start.", MetricType::Gauge,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

void add_sentinel_counts(std::vector<MetricFamily>& out, std::uint64_t hellos_rejected,
                         std::uint64_t config_save_failures) {
  add_single(out, "sentinel_proxy_hellos_rejected_total",
             "Sentinel hellos the sentinel refused: malformed, out of range or forged with its "
             "own id.",
             MetricType::Counter, static_cast<double>(hellos_rejected));
  add_single(out, "sentinel_proxy_config_save_failures_total",
             "Rewrites of the config file the sentinel could not save (retried at the next "
             "change).",
             MetricType::Counter, static_cast<double>(config_save_failures));
}

void add_sentinel_masters(std::vector<MetricFamily>& out, const sentinel::Engine& engine,
                          sentinel::TimePoint now) {
  auto info = family("sentinel_proxy_sentinel_master_info",
                     "Each monitored master and its current address (value 1).", MetricType::Gauge);
  for (const sentinel::Group& g : engine.groups()) {
    const sentinel::Address at = sentinel::current_master_address(g);
    info.metric.push_back(sample(
        1, MetricType::Gauge,
        {{"master", g.config.name}, {"address", at.host() + ":" + std::to_string(at.port)}}));
  }
  out.push_back(std::move(info));
  add_per_group(out, engine, "sentinel_proxy_sentinel_master_sdown",
                "1 while this sentinel finds the master subjectively down (+sdown).",
                [](const sentinel::Group& g) { return g.master.s_down ? 1.0 : 0.0; });
  add_per_group(out, engine, "sentinel_proxy_sentinel_master_odown",
                "1 while the master is objectively down (+odown): the quorum agrees.",
                [](const sentinel::Group& g) { return g.master.o_down ? 1.0 : 0.0; });
  add_per_group(out, engine, "sentinel_proxy_sentinel_failover_in_progress",
                "1 while this sentinel leads a failover of the master.",
                [](const sentinel::Group& g) { return g.failover_in_progress() ? 1.0 : 0.0; });
  add_per_group(out, engine, "sentinel_proxy_sentinel_config_epoch",
                "The configuration epoch of the master's current address.",
                [](const sentinel::Group& g) { return static_cast<double>(g.config_epoch); });
  add_per_group(out, engine, "sentinel_proxy_sentinel_known_replicas",
                "Replicas of the master this sentinel knows.",
                [](const sentinel::Group& g) { return static_cast<double>(g.replicas.size()); });
  add_per_group(out, engine, "sentinel_proxy_sentinel_known_sentinels",
                "Other sentinels of the master this sentinel knows.",
                [](const sentinel::Group& g) { return static_cast<double>(g.sentinels.size()); });
  add_per_group(
      out, engine, "sentinel_proxy_sentinel_reaches_majority",
      "1 while this sentinel reaches a majority of the master's sentinels.",
      [now](const sentinel::Group& g) { return sentinel::reaches_majority(g, now) ? 1.0 : 0.0; });
  add_single(out, "sentinel_proxy_sentinel_current_epoch", "This sentinel's current epoch.",
             MetricType::Gauge, static_cast<double>(engine.current_epoch()));
}

std::string sentinel_not_ready_reason(const sentinel::Engine& engine, sentinel::TimePoint now) {
  for (const sentinel::Group& g : engine.groups()) {
    if (g.master.s_down) return "master " + g.config.name + " is down (+sdown)";
    if (!sentinel::reaches_majority(g, now)) {
      return "master " + g.config.name + ": a majority of its sentinels is out of reach";
    }
  }
  return "";
}

}  // namespace sp::proxy

#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include <prometheus/metric_family.h>

#include "sentinel/clock.h"

namespace sp::sentinel {
class Engine;
}

namespace sp::proxy {

// sentinel_proxy_build_info and sentinel_proxy_uptime_seconds, in every mode.
void add_build_and_uptime(std::vector<prometheus::MetricFamily>& out,
                          std::chrono::steady_clock::time_point started);

// The sentinel's counters: hellos it refused (malformed, out of range, forged with its own
// id) and rewrites of its config file that failed.
void add_sentinel_counts(std::vector<prometheus::MetricFamily>& out, std::uint64_t hellos_rejected,
                         std::uint64_t config_save_failures);

// Each monitored master as this sentinel sees it (drop-in mode, where the scrape runs on
// the engine's own thread): its address, whether it is subjectively or objectively down,
// a failover in progress, its config epoch, the replicas and sentinels known, whether a
// majority of those sentinels is reachable; and the current epoch.
void add_sentinel_masters(std::vector<prometheus::MetricFamily>& out,
                          const sentinel::Engine& engine, sentinel::TimePoint now);

// /readyz in drop-in mode: why this sentinel should not be counted on now ("" when it
// can): a monitored master it finds down, or one whose sentinels it cannot reach a
// majority of.
std::string sentinel_not_ready_reason(const sentinel::Engine& engine, sentinel::TimePoint now);

}  // namespace sp::proxy

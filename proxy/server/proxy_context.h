#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/tls/tls_store.h"
#include "proxy/admin/master_auth.h"
#include "proxy/config/config.h"
#include "proxy/config/runtime_config.h"
#include "proxy/config/settings_registry.h"
#include "proxy/failover/failover_recorder.h"
#include "proxy/metrics/worker_stats.h"
#include "proxy/topology/topology_registry.h"

namespace sp::proxy {

// What every worker shares, read-only after start-up except for the atomics, the registry
// (which locks only on a topology change) and the failover recorder (locks on a notice).
struct ProxyContext {
  explicit ProxyContext(Config c, std::size_t workers) : config(std::move(c)) {
    for (std::size_t i = 0; i < workers; ++i)
      worker_stats.push_back(std::make_unique<WorkerStats>());
  }

  // The settings at start. Those that can change while clients are connected (PROXY
  // CONFIG SET, SIGHUP) are read from `settings` (a worker's copy: Worker::settings()).
  const Config config;
  SettingsRegistry settings{config};
  // What maxclients the open files limit allows (fit_maxclients_to_open_files for this
  // mode), for PROXY CONFIG SET and the reload. Set once before the workers start.
  MaxClientsFit fit_maxclients;
  const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<WorkerStats>> worker_stats;     // one per worker, fixed at start
  std::atomic<std::int64_t> clients{0};                       // for maxclients, all workers
  std::atomic<MasterAuth> master_auth{MasterAuth::kUnknown};  // kept by watch_master_auth
  // The master answered the last probe of watch_master_auth (/readyz).
  std::atomic<bool> master_reachable{false};
  FailoverRecorder failovers{config.group_name};  // fed by the sentinel inside
  TopologyRegistry registry;
  // The TLS contexts (tls-port, tls-replication), reloaded on SIGHUP; null without TLS. Set
  // once before the workers are made.
  std::shared_ptr<tls::TlsStore> tls;
  // With the sentinel inside: its own (sentinel-tls-port, its links), reloaded with these.
  // Set once before the workers start.
  std::shared_ptr<tls::TlsStore> sentinel_tls;
  // With the sentinel inside: hellos its engine refused (malformed, out of range, forged
  // with its id) and rewrites of its config file that failed, for the metrics scrape. Set
  // once before the workers start; callable from any thread.
  struct SentinelCounts {
    std::uint64_t hellos_rejected = 0;
    std::uint64_t config_save_failures = 0;
  };
  std::function<SentinelCounts()> sentinel_counts;
  // Follow mode: the sentinel followed now ("" while none), for PROXY INFO. Set once before
  // the workers start; callable from any thread.
  std::function<std::string()> followed_sentinel;
  // With the sentinel inside: PROXY FAILOVER [<replica>], a planned switchover started by
  // this process's sentinel. `done` gets "" when it started, else the error text (without
  // '-'), on the engine's thread: the caller posts it back to its own. Set once before the
  // workers start; callable from any thread, it never waits.
  using FailoverAnswer = std::function<void(std::string error)>;
  std::function<void(std::string replica, FailoverAnswer done)> request_failover;
};

}  // namespace sp::proxy

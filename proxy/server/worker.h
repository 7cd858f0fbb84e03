#pragma once

#include <cstddef>
#include <thread>

#include <asio/awaitable.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "proxy/links/link_pool.h"
#include "proxy/metrics/worker_stats.h"
#include "proxy/server/proxy_context.h"
#include "proxy/session/session_set.h"
#include "proxy/topology/topology.h"

namespace sp::proxy {

// One thread, one io_context, the sessions pinned to it (Asio's io_context-per-thread
// model). Everything here is touched only from its own thread, except start/stop/drain
// and the topology hand-over, which post onto it.
class Worker {
 public:
  // `index`: which of the context's worker_stats is this worker's.
  Worker(std::size_t index, ProxyContext& context);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();
  // Stops the io_context (sessions still open are destroyed with it) and joins.
  void stop_and_join();
  // From any thread: every session stops reading its client, flushes replies already
  // received from its backend and closes.
  void drain();
  // From any thread, after an upgrade's hand-over: each session drains once it has
  // nothing in flight (Session::leave_when_idle).
  void leave_when_idle();
  // From any thread: sessions connecting from now on use `topology`, and sessions on a
  // replaced master move to the new one (Session::on_topology).
  void publish(TopologyPtr topology);
  // From any thread: what sessions read from now on (PROXY CONFIG SET, SIGHUP).
  void apply_settings(ConfigPtr settings);

  asio::io_context& io() { return io_; }
  ProxyContext& context() { return context_; }
  WorkerStats& stats() { return stats_; }
  const TopologyPtr& topology() const { return topology_; }
  // The settings now: those that can change while clients are connected are read here.
  const Config& settings() const { return *settings_; }
  bool draining() const { return draining_; }
  SessionSet& sessions() { return sessions_; }
  // The shared connections of pooled sessions (backend-pool-size).
  LinkPool& links() { return links_; }

 private:
  static asio::awaitable<void> cron_loop(Worker* worker);
  static asio::awaitable<void> leave_loop(Worker* worker);
  // On the worker's thread: no cron, and no work of its own keeping run() going.
  void end_serving();

  ProxyContext& context_;
  WorkerStats& stats_;
  TopologyPtr topology_;
  ConfigPtr settings_;  // before links_, which reads it
  bool draining_ = false;
  // Declared before io_ so that sessions destroyed with io_'s handlers can still remove
  // themselves.
  SessionSet sessions_;
  asio::io_context io_{1};
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  LinkPool links_;
  asio::steady_timer cron_;
  std::thread thread_;
};

}  // namespace sp::proxy

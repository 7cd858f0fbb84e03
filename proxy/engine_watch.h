#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>

#include "proxy/topology_registry.h"

namespace sp::proxy {

// Every 100 ms on the sentinel's own executor, looks at the engine's state for what no
// notice announces, and brings the topology registry in line:
//   fence-on-minority: whether the sentinel reaches a majority of its group's sentinels
//     (a peer counts as unreachable once it has been silent for down-after-milliseconds,
//     its SDOWN); the sessions' writes are fenced or unfenced accordingly;
//   the end of a hold kept past -sdown because the sentinel had voted for a failover of
//     the master (see apply_master_notice), once that vote's election timed out.
class EngineWatch {
 public:
  struct View {
    bool reaches_majority = true;
    bool hold_wanted = false;  // clients_should_hold
    std::string master_ip;     // the engine's master, as the registry names it
    int master_port = 0;
  };
  EngineWatch(asio::any_io_executor executor, std::function<View()> view,
              TopologyRegistry& registry, std::string group, bool fence_on_minority);
  void start();
  void stop();

 private:
  void check();

  asio::steady_timer timer_;
  std::function<View()> view_;
  TopologyRegistry& registry_;
  std::string group_;
  bool fence_on_minority_;
  bool stopped_ = false;
};

}  // namespace sp::proxy

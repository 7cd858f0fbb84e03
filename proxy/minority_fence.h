#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>

#include "proxy/topology_registry.h"

namespace sp::proxy {

// fence-on-minority: every 100 ms on the sentinel's own executor, asks whether the
// sentinel reaches a majority of its group's sentinels (a peer counts as unreachable once
// it has been silent for down-after-milliseconds, its SDOWN) and fences or unfences the
// writes of the proxy's sessions accordingly, through the topology registry.
class MinorityFence {
 public:
  MinorityFence(asio::any_io_executor executor, std::function<bool()> reaches_majority,
                TopologyRegistry& registry, std::string group);
  void start();
  void stop();

 private:
  void check();

  asio::steady_timer timer_;
  std::function<bool()> reaches_majority_;
  TopologyRegistry& registry_;
  std::string group_;
  bool stopped_ = false;
};

}  // namespace sp::proxy

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "proxy/topology/served_view_bridge.h"
#include "proxy/topology/topology.h"
#include "proxy/topology/topology_registry.h"
#include "sentinel/instance.h"
#include "sentinel/served_view.h"
#include "tests/sim/sim_network.h"

namespace sp::sentinel::sim {

// Which proxy the simulation runs. Only kAsShipped is the product; the others are
// broken on purpose, to show that the proxy invariants can fail.
enum class ProxyVariant {
  kAsShipped,                  // the shipped ServedViewBridge and the registry's epoch gate
  kNoEpochGate,                // takes every master its engine names, older ones too
  kRestartOnConfiguredMaster,  // a restarted proxy routes to the configured master
  kFenceNeverEngages           // fence-on-minority set, but the bridge never fences
};

// The proxy that runs in one sentinel's process (it crashes and restarts with it) and
// takes its topology from that engine alone, as run_proxy_with_sentinel does: the view
// the engine shell computes after every engine call (sentinel/served_view.h), handed to
// the shipped ServedViewBridge and the proxy's own TopologyRegistry (the epoch gate); and
// the one client writing through it: an increasing counter, one write at a time.
struct SimProxy {
  ProxyVariant variant = ProxyVariant::kAsShipped;
  bool alive = false;
  int incarnation = 0;
  std::unique_ptr<proxy::TopologyRegistry> registry;  // a new one per process
  std::unique_ptr<proxy::ServedViewBridge> bridge;
  bool fence_on_minority = false;  // the directive
  SimTime started_at = 0;

  std::uint64_t next_value = 1;
  bool in_flight = false;
  SimTime hold_since = -1;  // when the client's current write started to wait, or -1
  int client_serial = 0;    // tells a reply to the current write from a stale one

  // Server's first snapshot: `master` (the engine's, or the configured one in the
  // kRestartOnConfiguredMaster variant) at config epoch 0.
  void start(const std::string& group, const Address& master);
  void crash();
  // What the engine shell does after each engine call: the served view of `group` at the
  // engine's time `now` (`engine_epoch`: its current epoch), handed to the bridge when it
  // changed. True when sessions were routed to a new master.
  bool observe(const Group& group, TimePoint now, std::uint64_t engine_epoch,
               TimePoint reach_judged_at);
  bool observe(const Group& group, TimePoint now, std::uint64_t engine_epoch) {
    return observe(group, now, engine_epoch, now);
  }
  // What its sessions route by; null while it is down.
  proxy::TopologyPtr topology() const { return registry ? registry->current() : nullptr; }
  bool holding() const;
  bool writes_fenced() const;
  Address master() const;

 private:
  void new_registry();
  std::optional<ServedView> last_view_;
};

}  // namespace sp::sentinel::sim

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "proxy/topology.h"
#include "proxy/topology_registry.h"
#include "sentinel/actions.h"
#include "sentinel/instance.h"
#include "tests/sim/sim_network.h"

namespace sp::sentinel::sim {

// Which proxy the simulation runs. Only kAsShipped is the product; the others are
// broken on purpose, to show that the proxy invariants can fail.
enum class ProxyVariant {
  kAsShipped,                  // proxy/main.cc's rules and the registry's epoch gate
  kNoEpochGate,                // takes every announced master, older ones too
  kRestartOnConfiguredMaster,  // a restarted proxy routes to the configured master
  kFenceNeverEngages           // fence-on-minority set, but writes are never fenced
};

// The proxy that runs in one sentinel's process (it crashes and restarts with it) and
// takes its topology from that engine alone, as run_proxy_with_sentinel does, through
// the proxy's own TopologyRegistry (the epoch gate); and the one client writing through
// it: an increasing counter, one write at a time.
struct SimProxy {
  ProxyVariant variant = ProxyVariant::kAsShipped;
  bool alive = false;
  int incarnation = 0;
  std::unique_ptr<proxy::TopologyRegistry> registry;  // a new one per process
  bool fence_on_minority = false;                     // the directive, for EngineWatch
  SimTime started_at = 0;

  std::uint64_t next_value = 1;
  bool in_flight = false;
  SimTime hold_since = -1;  // when the client's current write started to wait, or -1
  int client_serial = 0;    // tells a reply to the current write from a stale one

  // Server's first snapshot: `master` (the engine's, or the configured one in the
  // kRestartOnConfiguredMaster variant) at config epoch 0.
  void start(const std::string& group, const Address& master);
  void crash();
  // Mirrors the two callbacks of run_proxy_with_sentinel: a SwitchMaster of the group,
  // or a Notice, read with `group` as the engine holds it after the call that emitted
  // it, at the engine's time `now`. True when a new master was published.
  // `engine_epoch`: the engine's current epoch, for the registry's gate (nullopt: unknown,
  // the gate alone decides).
  bool observe(const Action& action, const Group& group, TimePoint now,
               std::optional<std::uint64_t> engine_epoch = std::nullopt);
  // What its sessions route by; null while it is down.
  proxy::TopologyPtr topology() const { return registry ? registry->current() : nullptr; }
  bool holding() const;
  bool writes_fenced() const;
  // mirrors EngineWatch::check, run every 100 ms: ends a hold the engine no longer asks
  // for, and fences writes while the engine does not reach a majority of the group's
  // sentinels it knows.
  void check_engine(const Group& group, TimePoint now);
  Address master() const;

 private:
  bool publish(const std::string& group, const Address& addr, std::uint64_t config_epoch,
               std::optional<std::uint64_t> engine_epoch = std::nullopt);
};

}  // namespace sp::sentinel::sim

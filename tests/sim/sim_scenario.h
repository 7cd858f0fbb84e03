#pragma once

#include <cstdint>
#include <string>

#include "tests/sim/sim_network.h"
#include "tests/sim/sim_proxy.h"
#include "tests/sim/sim_proxy_ledger.h"

namespace sp::sentinel::sim {

// Liveness bound: once the network has healed and every engine agrees on the
// master, if that master dies while a majority of sentinels (a minority may
// be crashed too) and its replicas can talk, every live sentinel must agree
// on a new master that really is a live role:master Redis within this time.
// Derivation (down-after 2 s, failover-timeout 6 s): SDOWN 2-3 s, ODOWN +1 s,
// a back-off of up to 2 x 6 s + 1 s left from an earlier vote, and room for
// three split-vote election rounds of 6 s election timeout + 13 s back-off.
inline constexpr SimTime kLivenessBound = 75'000;

struct ScenarioResult {
  bool ok = true;
  std::string failure;
  SimTime failover_duration = 0;  // kill -> new master agreed
  bool liveness_checked = false;
  ProxyFigures writes;  // the proxies and the clients' writes through them
};

// Runs one seeded scenario: random faults (partitions, drops, delays, crashes
// and restarts of sentinels and Redis, clock jumps) for 20 s, then heal,
// convergence, master death and the liveness check. Safety invariants are
// checked after every step. Same seed, same run.
ScenarioResult run_scenario(std::uint64_t seed,
                            ProxyVariant proxy_variant = ProxyVariant::kAsShipped);

}  // namespace sp::sentinel::sim

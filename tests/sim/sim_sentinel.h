#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "sentinel/engine.h"
#include "tests/sim/sim_network.h"

namespace sp::sentinel::sim {

// One sentinel process: an Engine plus what survives a crash (the persisted
// state). A crash drops the Engine and everything not persisted; a restart
// rebuilds it from the last PersistState. Its clock may be skewed.
struct SimSentinel {
  int node = 0;
  Address addr;
  EngineConfig config;
  bool alive = true;
  int incarnation = 0;
  bool crash_at_next_call = false;  // crash after the engine ran, before its actions went out
  SimTime clock_offset = 0;
  std::optional<PersistedState> persisted;
  std::unique_ptr<Engine> engine;
  // Open links: endpoint key -> {incarnation of the target when connected, serial}.
  std::map<std::string, std::pair<int, int>> links;
  std::uint64_t last_config_epoch = 0;

  TimePoint local(SimTime now) const { return TimePoint{} + ms(now + clock_offset); }
  void start(SimTime now, std::uint64_t seed);
  void crash();
};

std::string link_key(const Endpoint& endpoint);

}  // namespace sp::sentinel::sim

#include "tests/sim/sim_sentinel.h"

namespace sp::sentinel::sim {

void SimSentinel::start(SimTime now, std::uint64_t seed) {
  alive = true;
  ++incarnation;
  links.clear();
  crash_at_next_call = false;
  engine = std::make_unique<Engine>(config, persisted, seed, local(now));
}

void SimSentinel::crash() {
  alive = false;
  ++incarnation;
  links.clear();
  engine.reset();
}

std::string link_key(const Endpoint& endpoint) {
  return endpoint.group + "/" + std::string(to_string(endpoint.kind)) + "/" +
         endpoint.addr.to_string();
}

}  // namespace sp::sentinel::sim

#include "tests/sim/sim_proxy.h"

#include <spdlog/spdlog.h>

namespace sp::sentinel::sim {

void SimProxy::new_registry() {
  // The shipped bridge logs each change it makes; 10 000 scenarios would drown the output.
  spdlog::set_level(spdlog::level::off);
  registry = std::make_unique<proxy::TopologyRegistry>();
  // Broken on purpose: a bridge that never fences, whatever the directive says.
  const bool fence = fence_on_minority && variant != ProxyVariant::kFenceNeverEngages;
  bridge = std::make_unique<proxy::ServedViewBridge>(*registry, fence);
}

void SimProxy::start(const std::string& group, const Address& master) {
  alive = true;
  ++incarnation;
  new_registry();
  last_view_.reset();
  in_flight = false;
  hold_since = -1;
  ++client_serial;
  ServedView first;
  first.group = group;
  first.master = master;
  bridge->apply(first);
}

void SimProxy::crash() {
  alive = false;
  ++incarnation;
  bridge.reset();
  registry.reset();
  in_flight = false;
  hold_since = -1;
  ++client_serial;
}

bool SimProxy::holding() const {
  const auto current = topology();
  return current && current->failover_in_progress;
}

bool SimProxy::writes_fenced() const {
  const auto current = topology();
  return current && current->writes_fenced;
}

Address SimProxy::master() const {
  const auto current = topology();
  return Address{current->master_ip, current->master_port};
}

bool SimProxy::observe(const Group& group, TimePoint now, std::uint64_t engine_epoch,
                       TimePoint reach_judged_at) {
  if (!alive) return false;
  const ServedView view =
      served_view(group, now, reach_judged_at, Timings{}.election_timeout, engine_epoch);
  if (view == last_view_) return false;
  last_view_ = view;
  // Broken on purpose: a registry that forgets the current epoch takes any other master.
  const auto current = topology();
  if (variant == ProxyVariant::kNoEpochGate && current &&
      (current->master_ip != view.master.dial_host() || current->master_port != view.master.port)) {
    new_registry();
  }
  return bridge->apply(view);
}

}  // namespace sp::sentinel::sim

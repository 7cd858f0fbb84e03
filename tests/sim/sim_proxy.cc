#include "tests/sim/sim_proxy.h"

#include "proxy/failover_signals.h"

namespace sp::sentinel::sim {

void SimProxy::start(const Address& master) {
  alive = true;
  ++incarnation;
  registry = std::make_unique<proxy::TopologyRegistry>();
  in_flight = false;
  hold_since = -1;
  ++client_serial;
  publish(master, 0);
}

void SimProxy::crash() {
  alive = false;
  ++incarnation;
  registry.reset();
  in_flight = false;
  hold_since = -1;
  ++client_serial;
}

bool SimProxy::holding() const {
  const auto current = topology();
  return current && current->failover_in_progress;
}

Address SimProxy::master() const {
  const auto current = topology();
  return Address{current->master_ip, current->master_port};
}

// mirrors publish_master (proxy/main.cc)
bool SimProxy::publish(const Address& addr, std::uint64_t config_epoch) {
  auto next = std::make_shared<proxy::Topology>();
  next->master_host = addr.host();
  next->master_ip = addr.ip.empty() ? addr.host() : addr.ip;
  next->master_port = static_cast<std::uint16_t>(addr.port);
  next->epoch = config_epoch;
  // Broken on purpose: a registry that forgets the current epoch takes anything.
  if (variant == ProxyVariant::kNoEpochGate) registry = std::make_unique<proxy::TopologyRegistry>();
  return registry->publish(std::move(next));
}

bool SimProxy::observe(const Action& action, const Group& group) {
  if (!alive) return false;
  const std::string& name = group.config.name;
  if (const auto* s = std::get_if<SwitchMaster>(&action)) {
    return s->group == name && publish(s->addr, s->config_epoch);
  }
  const auto* notice = std::get_if<Notice>(&action);
  const auto current = topology();
  if (notice == nullptr || !current) return false;
  if (notice->type == "+promoted-slave") {
    const auto port = proxy::promoted_slave_port(notice->text, name);
    const Instance* promoted = group.promoted();
    if (!port || promoted == nullptr || promoted->addr.port != *port) return false;
    return publish(promoted->addr, group.config_epoch);
  }
  const auto change = proxy::hold_change(notice->type, notice->text, name, current->master_ip,
                                         current->master_host, current->master_port);
  if (change != proxy::HoldChange::kNone) {
    registry->set_failover_in_progress(change == proxy::HoldChange::kHold);
  }
  return false;
}

}  // namespace sp::sentinel::sim

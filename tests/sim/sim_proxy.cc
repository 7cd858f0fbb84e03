#include "tests/sim/sim_proxy.h"

#include "proxy/failover_signals.h"

namespace sp::sentinel::sim {

void SimProxy::start(const Address& master) {
  alive = true;
  ++incarnation;
  topology.reset();
  in_flight = false;
  hold_since = -1;
  ++client_serial;
  publish(master, 0);
}

void SimProxy::crash() {
  alive = false;
  ++incarnation;
  topology.reset();
  in_flight = false;
  hold_since = -1;
  ++client_serial;
}

Address SimProxy::master() const {
  return Address{topology->master_ip, topology->master_port};
}

// mirrors publish_master (proxy/main.cc) and TopologyRegistry::publish
bool SimProxy::publish(const Address& addr, std::uint64_t config_epoch) {
  std::optional<std::uint64_t> current;
  if (topology) current = topology->epoch;
  if (variant != ProxyVariant::kNoEpochGate && !proxy::epoch_admits(current, config_epoch)) {
    return false;
  }
  proxy::Topology next;
  next.master_host = addr.host();
  next.master_ip = addr.ip.empty() ? addr.host() : addr.ip;
  next.master_port = static_cast<std::uint16_t>(addr.port);
  next.epoch = config_epoch;
  topology = next;
  return true;
}

bool SimProxy::observe(const Action& action, const Group& group) {
  if (!alive) return false;
  const std::string& name = group.config.name;
  if (const auto* s = std::get_if<SwitchMaster>(&action)) {
    return s->group == name && publish(s->addr, s->config_epoch);
  }
  const auto* notice = std::get_if<Notice>(&action);
  if (notice == nullptr || !topology) return false;
  if (notice->type == "+promoted-slave") {
    const auto port = proxy::promoted_slave_port(notice->text, name);
    const Instance* promoted = group.promoted();
    if (!port || promoted == nullptr || promoted->addr.port != *port) return false;
    return publish(promoted->addr, group.config_epoch);
  }
  const auto change = proxy::hold_change(notice->type, notice->text, name, topology->master_ip,
                                         topology->master_host, topology->master_port);
  if (change != proxy::HoldChange::kNone) {
    topology->failover_in_progress = change == proxy::HoldChange::kHold;
  }
  return false;
}

}  // namespace sp::sentinel::sim

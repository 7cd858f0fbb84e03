#include "tests/sim/sim_proxy.h"

#include "proxy/master_notice.h"

namespace sp::sentinel::sim {

void SimProxy::start(const std::string& group, const Address& master) {
  alive = true;
  ++incarnation;
  registry = std::make_unique<proxy::TopologyRegistry>();
  in_flight = false;
  hold_since = -1;
  ++client_serial;
  publish(group, master, 0);
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

bool SimProxy::writes_fenced() const {
  const auto current = topology();
  return current && current->writes_fenced;
}

void SimProxy::check_engine(const Group& group, TimePoint now) {
  if (!alive) return;
  const Address& engine_master = group.master.addr;
  proxy::end_unwanted_hold(*registry, engine_master.dial_host(), engine_master.port,
                           clients_should_hold(group, now, Timings{}.election_timeout));
  if (!fence_on_minority || variant == ProxyVariant::kFenceNeverEngages) return;
  registry->set_writes_fenced(!reaches_majority(group));
}

Address SimProxy::master() const {
  const auto current = topology();
  return Address{current->master_ip, current->master_port};
}

// mirrors publish_master (proxy/main.cc)
bool SimProxy::publish(const std::string& group, const Address& addr, std::uint64_t config_epoch,
                       std::optional<std::uint64_t> engine_epoch) {
  auto next = std::make_shared<proxy::Topology>();
  next->group = group;
  next->master_host = addr.host();
  next->master_ip = addr.dial_host();
  next->master_port = static_cast<std::uint16_t>(addr.port);
  next->epoch = config_epoch;
  // Broken on purpose: a registry that forgets the current epoch takes anything.
  if (variant == ProxyVariant::kNoEpochGate) registry = std::make_unique<proxy::TopologyRegistry>();
  return registry->publish(std::move(next), engine_epoch);
}

bool SimProxy::observe(const Action& action, const Group& group, TimePoint now,
                       std::optional<std::uint64_t> engine_epoch) {
  if (!alive) return false;
  const std::string& name = group.config.name;
  if (const auto* s = std::get_if<SwitchMaster>(&action)) {
    return s->group == name && publish(name, s->addr, s->config_epoch, engine_epoch);
  }
  const auto* notice = std::get_if<Notice>(&action);
  const auto current = topology();
  if (notice == nullptr || !current) return false;
  if (notice->kind == NoticeKind::kPromotedSlave) {
    const Instance* promoted = group.promoted();
    if (notice->group != name || !notice->subject || promoted == nullptr ||
        promoted->addr.port != notice->subject->addr.port) {
      return false;
    }
    return publish(name, promoted->addr, group.config_epoch, engine_epoch);
  }
  // Clients hold while this sentinel finds their master down or a failover of it may be
  // under way (the shipped rule).
  proxy::apply_master_notice(*registry, *notice, proxy::NoticeSource::kOwnSentinel,
                             clients_should_hold(group, now, Timings{}.election_timeout));
  return false;
}

}  // namespace sp::sentinel::sim

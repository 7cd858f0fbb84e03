#include "proxy/topology/topology_registry.h"

#include <limits>

namespace sp::proxy {

namespace {

bool same_master(const Topology& a, const Topology& b) {
  return a.master_host == b.master_host && a.master_ip == b.master_ip &&
         a.master_port == b.master_port;
}

}  // namespace

bool TopologyRegistry::publish(TopologyPtr topology, std::optional<std::uint64_t> engine_epoch) {
  std::lock_guard lock(mutex_);
  if (!topology) return false;
  if (current_ && topology->epoch <= current_->epoch) {
    const bool gate_outdated = engine_epoch && *engine_epoch < current_->epoch;
    // The same master again changes nothing either way.
    if (!gate_outdated || same_master(*topology, *current_)) return false;
    if (current_->epoch == std::numeric_limits<std::uint64_t>::max()) return false;
    auto renumbered = std::make_shared<Topology>(*topology);
    renumbered->epoch = current_->epoch + 1;
    topology = std::move(renumbered);
  }
  current_ = std::move(topology);
  for (const auto& subscriber : subscribers_) subscriber(current_);
  return true;
}

bool TopologyRegistry::set_failover_in_progress(bool in_progress) {
  return republish_with(&Topology::failover_in_progress, in_progress);
}

bool TopologyRegistry::set_writes_fenced(bool fenced) {
  return republish_with(&Topology::writes_fenced, fenced);
}

bool TopologyRegistry::republish_with(bool Topology::*flag, bool value) {
  std::lock_guard lock(mutex_);
  if (!current_ || (*current_).*flag == value) return false;
  auto next = std::make_shared<Topology>(*current_);
  (*next).*flag = value;
  current_ = std::move(next);
  for (const auto& subscriber : subscribers_) subscriber(current_);
  return true;
}

void TopologyRegistry::subscribe(Subscriber subscriber) {
  std::lock_guard lock(mutex_);
  if (current_) subscriber(current_);
  subscribers_.push_back(std::move(subscriber));
}

TopologyPtr TopologyRegistry::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

}  // namespace sp::proxy

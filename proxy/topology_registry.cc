#include "proxy/topology_registry.h"

namespace sp::proxy {

bool TopologyRegistry::publish(TopologyPtr topology) {
  std::lock_guard lock(mutex_);
  if (!topology || (current_ && topology->epoch <= current_->epoch)) return false;
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

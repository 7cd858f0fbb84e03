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
  std::lock_guard lock(mutex_);
  if (!current_ || current_->failover_in_progress == in_progress) return false;
  auto next = std::make_shared<Topology>(*current_);
  next->failover_in_progress = in_progress;
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

#include "proxy/topology/served_view_bridge.h"

#include <memory>

#include <spdlog/spdlog.h>

namespace sp::proxy {
namespace {

// The same master, by the host as given and the port (as the engine tells instances
// apart): the proxy resolves the master's host itself at start, and the two lookups may
// give different addresses (an IPv6 literal written another way, round-robin DNS, a
// hostname the engine has not resolved yet).
bool routes_to(const Topology& topology, const sentinel::Address& master) {
  return topology.master_port == master.port && topology.master_host == master.host();
}

void log_published(const Topology& published, const sentinel::ServedView& view) {
  if (published.epoch != view.config_epoch) {
    spdlog::warn(
        "clients of '{}' now go to {}:{} (config epoch {}, not above the previous master's, "
        "but the sentinel inside is at epoch {}: taken as topology epoch {})",
        view.group, published.master_ip, published.master_port, view.config_epoch,
        view.engine_epoch.value_or(0), published.epoch);
    return;
  }
  spdlog::warn("clients of '{}' now go to {}:{} (config epoch {})", view.group, published.master_ip,
               published.master_port, view.config_epoch);
}

void log_hold(const std::string& group, bool hold) {
  if (hold) {
    spdlog::warn("clients of '{}' hold their commands: the master is down or failing over", group);
  } else {
    spdlog::warn("clients of '{}' go on: the master answers", group);
  }
}

void log_fence(const std::string& group, bool fenced) {
  if (fenced) {
    spdlog::warn(
        "writes to '{}' refused: the sentinel cannot reach a majority of its group's "
        "sentinels (fence-on-minority)",
        group);
  } else {
    spdlog::warn("writes to '{}' accepted again: the sentinel reaches a majority", group);
  }
}

}  // namespace

bool ServedViewBridge::apply(const sentinel::ServedView& view) {
  group_ = view.group;
  reaches_majority_ = view.reaches_majority;
  const bool fenced = fence_on_minority_ && !view.reaches_majority;
  const TopologyPtr current = registry_.current();
  if (!current || !routes_to(*current, view.master)) {
    auto next = std::make_shared<Topology>();
    next->group = view.group;
    next->master_host = view.master.host();
    next->master_ip = view.master.dial_host();
    next->master_port = static_cast<std::uint16_t>(view.master.port);
    next->epoch = view.config_epoch;
    next->failover_in_progress = view.hold;
    next->writes_fenced = fenced;
    next->replaced_master_up = view.replaced_master_up;
    if (registry_.publish(next, view.engine_epoch)) {
      log_published(*registry_.current(), view);
      if (view.hold) log_hold(view.group, true);
      if (fenced) log_fence(view.group, true);
      return true;
    }
  } else if (registry_.set_failover_in_progress(view.hold)) {
    log_hold(view.group, view.hold);
  }
  if (registry_.set_writes_fenced(fenced)) log_fence(view.group, fenced);
  return false;
}

void ServedViewBridge::set_fence_on_minority(bool on) {
  fence_on_minority_ = on;
  if (group_.empty()) return;  // no view yet: the first one decides
  const bool fenced = on && !reaches_majority_;
  if (registry_.set_writes_fenced(fenced)) log_fence(group_, fenced);
}

}  // namespace sp::proxy

#include "proxy/master_updates.h"

#include <memory>

#include <spdlog/spdlog.h>

namespace sp::proxy {

bool publish_master(TopologyRegistry& registry, const std::string& group, const std::string& ip,
                    int port, std::uint64_t config_epoch, const std::string& host,
                    bool replaced_master_up, std::optional<std::uint64_t> engine_epoch) {
  auto topology = std::make_shared<Topology>();
  topology->group = group;
  topology->master_host = host.empty() ? ip : host;
  topology->master_ip = ip;
  topology->master_port = static_cast<std::uint16_t>(port);
  topology->epoch = config_epoch;
  topology->replaced_master_up = replaced_master_up;
  if (!registry.publish(std::move(topology), engine_epoch)) return false;
  const std::uint64_t order = registry.current()->epoch;
  if (order != config_epoch) {
    spdlog::warn(
        "clients of '{}' now go to {}:{} (config epoch {}, not above the previous master's, "
        "but the sentinel inside is at epoch {}: taken as topology epoch {})",
        group, ip, port, config_epoch, engine_epoch.value_or(0), order);
    return true;
  }
  spdlog::warn("clients of '{}' now go to {}:{} (config epoch {})", group, ip, port, config_epoch);
  return true;
}

void log_hold_change(const std::string& group, bool hold) {
  if (hold) {
    spdlog::warn("clients of '{}' hold their commands: the master is down", group);
  } else {
    spdlog::warn("clients of '{}' go on: the master is back", group);
  }
}

}  // namespace sp::proxy

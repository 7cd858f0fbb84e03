#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "proxy/topology_registry.h"

namespace sp::proxy {

// A new master for the proxy's sessions, from a sentinel (inside or followed); the registry
// refuses it unless its config epoch is newer than the current one (see
// TopologyRegistry::publish for `engine_epoch`, given with the sentinel inside). Logged
// when taken.
// Sessions connect to `ip`; `host` is the name the sentinel announces it by (a hostname
// with resolve-hostnames), the IP when empty. `replaced_master_up`: see Topology.
bool publish_master(TopologyRegistry& registry, const std::string& group, const std::string& ip,
                    int port, std::uint64_t config_epoch, const std::string& host = {},
                    bool replaced_master_up = false,
                    std::optional<std::uint64_t> engine_epoch = std::nullopt);

// One log line for a change of the hold (apply_master_notice's result).
void log_hold_change(const std::string& group, bool hold);

}  // namespace sp::proxy

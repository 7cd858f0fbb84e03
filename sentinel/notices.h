#pragma once

#include <string>

#include "sentinel/instance.h"

namespace sp::sentinel {

// The "%@" instance-details prefix of Sentinel events (§9):
// "<type> <name> <ip> <port>", plus " @ <master> <ip> <port>" for replicas and
// sentinels. The master part uses the configured master address.
std::string instance_details(const Group& group, const Instance& instance);

}  // namespace sp::sentinel

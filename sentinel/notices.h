#pragma once

#include <string>

#include "sentinel/hostnames.h"
#include "sentinel/instance.h"

namespace sp::sentinel {

// The "%@" instance-details prefix of Sentinel events (§9):
// "<type> <name> <ip> <port>", plus " @ <master> <ip> <port>" for replicas and
// sentinels. The master part uses the configured master address. Addresses are shown
// in their announced form (hostnames with announce-hostnames).
std::string instance_details(const Group& group, const Instance& instance,
                             const HostnamePolicy& policy);

}  // namespace sp::sentinel

#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sentinel/clock.h"
#include "sentinel/engine.h"

namespace sp::sentinel {

// One instance map of SENTINEL MASTER(S)/REPLICAS/SENTINELS: field/value pairs
// in Redis 7.0's order (§10.3); every value is sent as a bulk string.
using FieldList = std::vector<std::pair<std::string, std::string>>;

// SENTINEL MASTERS
std::vector<FieldList> masters_reply(const Engine& engine, TimePoint now);
// SENTINEL MASTER <name>; nullopt = "-ERR No such master with that name"
std::optional<FieldList> master_reply(const Engine& engine, std::string_view name, TimePoint now);
// SENTINEL REPLICAS <name> (replicas with replica-announced 0 are left out)
std::optional<std::vector<FieldList>> replicas_reply(const Engine& engine, std::string_view name,
                                                     TimePoint now);
// SENTINEL SENTINELS <name> (never includes ourselves)
std::optional<std::vector<FieldList>> sentinels_reply(const Engine& engine, std::string_view name,
                                                      TimePoint now);

// The `flags` field: a comma list in Sentinel's fixed order.
std::string instance_flags(const Group& group, const Instance& instance);

}  // namespace sp::sentinel

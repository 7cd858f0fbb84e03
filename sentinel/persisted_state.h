#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sentinel/address.h"

namespace sp::sentinel {

// What must survive a restart (the `sentinel ...` lines Sentinel rewrites into
// its config file, §11.2). Votes are only safe if current_epoch and
// leader_epoch are stored before the vote is answered.
struct PersistedSentinel {
  Address addr;
  std::string id;
  bool operator==(const PersistedSentinel&) const = default;
};

struct PersistedGroup {
  std::string name;
  Address master;  // the current master address (the rewritten `monitor` line)
  std::uint64_t config_epoch = 0;
  std::uint64_t leader_epoch = 0;
  std::vector<Address> known_replicas;
  std::vector<PersistedSentinel> known_sentinels;
  bool operator==(const PersistedGroup&) const = default;
};

struct PersistedState {
  std::string myid;
  std::uint64_t current_epoch = 0;
  std::vector<PersistedGroup> groups;
  bool operator==(const PersistedState&) const = default;
};

}  // namespace sp::sentinel

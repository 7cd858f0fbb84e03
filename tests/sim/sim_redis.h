#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sentinel/address.h"
#include "sentinel/instance.h"
#include "tests/sim/sim_network.h"

namespace sp::sentinel::sim {

// A simulated redis-server: role, run id, replication offset, REPLICAOF (via
// the replica-of transaction) and the INFO text Sentinel reads. Role and
// master survive a restart (CONFIG REWRITE); the run id does not.
struct SimRedis {
  int node = 0;
  Address addr;
  bool alive = true;
  int incarnation = 0;
  std::string run_id;
  Role role = Role::kSlave;
  std::optional<Address> master;
  bool link_up = false;
  SimTime link_down_since = 0;
  std::int64_t offset = 0;
  int priority = 100;

  void restart(std::uint64_t id_seed);
  void apply_replica_of(const std::optional<Address>& new_master);
  // INFO in Redis 7.0's layout; `replicas` = the "slaveN:" lines of a master.
  std::string info(SimTime now, const std::string& replica_lines) const;
};

std::string make_run_id(std::uint64_t seed);

}  // namespace sp::sentinel::sim

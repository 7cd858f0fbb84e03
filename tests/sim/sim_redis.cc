#include "tests/sim/sim_redis.h"

#include "sentinel/rng.h"

namespace sp::sentinel::sim {

std::string make_run_id(std::uint64_t seed) {
  static constexpr char kHex[] = "0123456789abcdef";
  Rng rng(seed);
  std::string id;
  for (int i = 0; i < 40; ++i) id.push_back(kHex[rng.below(16)]);
  return id;
}

void SimRedis::restart(std::uint64_t id_seed) {
  alive = true;
  ++incarnation;
  run_id = make_run_id(id_seed);
  link_up = false;
}

void SimRedis::apply_replica_of(const std::optional<Address>& new_master) {
  if (new_master) {
    if (role == Role::kSlave && master == new_master) return;
    role = Role::kSlave;
    master = new_master;
    link_up = false;
  } else {
    role = Role::kMaster;
    master.reset();
  }
}

std::string SimRedis::info(SimTime now, const std::string& replica_lines) const {
  std::string text = "# Server\r\nredis_version:7.0.15\r\nrun_id:" + run_id +
                     "\r\ntcp_port:" + std::to_string(addr.port) + "\r\n\r\n# Replication\r\n";
  if (role == Role::kMaster) {
    return text + "role:master\r\n" + replica_lines +
           "master_repl_offset:" + std::to_string(offset) + "\r\n";
  }
  text += "role:slave\r\nmaster_host:" + master->ip +
          "\r\nmaster_port:" + std::to_string(master->port) +
          "\r\nmaster_link_status:" + (link_up ? "up" : "down") +
          "\r\nslave_repl_offset:" + std::to_string(offset) + "\r\n";
  if (!link_up) {
    text +=
        "master_link_down_since_seconds:" + std::to_string((now - link_down_since) / 1000) + "\r\n";
  }
  return text + "slave_priority:" + std::to_string(priority) +
         "\r\nslave_read_only:1\r\nreplica_announced:1\r\n";
}

}  // namespace sp::sentinel::sim

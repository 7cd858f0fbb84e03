#include "sentinel/replica_selection.h"

#include <cctype>

namespace sp::sentinel {

namespace {

int compare_ignoring_case(const std::string& a, const std::string& b) {
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    int ca = std::tolower(static_cast<unsigned char>(a[i]));
    int cb = std::tolower(static_cast<unsigned char>(b[i]));
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

bool eligible(const Group& group, const Instance& replica, const Timings& timings, TimePoint now,
              Duration max_master_down_time) {
  if (replica.s_down || replica.o_down) return false;
  if (!replica.link.connected) return false;
  if (now - replica.link.last_avail_time > timings.ping_period * 5) return false;
  if (replica.slave_priority == 0) return false;
  Duration info_validity = group.master.s_down ? timings.ping_period * 5 : timings.info_period * 3;
  if (now - replica.info_refresh > info_validity) return false;
  return replica.master_link_down_time <= max_master_down_time;
}

}  // namespace

// mirrors compareSlavesForPromotion
bool promote_before(const Instance& a, const Instance& b) {
  if (a.slave_priority != b.slave_priority) return a.slave_priority < b.slave_priority;
  if (a.slave_repl_offset != b.slave_repl_offset) return a.slave_repl_offset > b.slave_repl_offset;
  if (a.run_id.empty() != b.run_id.empty()) return !a.run_id.empty();
  return compare_ignoring_case(a.run_id, b.run_id) < 0;
}

// mirrors sentinelSelectSlave
const Instance* select_replica(const Group& group, const Timings& timings, TimePoint now) {
  Duration max_master_down_time = ms(0);
  if (group.master.s_down) max_master_down_time += now - group.master.s_down_since;
  max_master_down_time += group.config.down_after * 10;
  const Instance* best = nullptr;
  if (!group.requested_replica.empty()) {
    const auto it = group.replicas.find(group.requested_replica);
    if (it == group.replicas.end()) return nullptr;
    return eligible(group, it->second, timings, now, max_master_down_time) ? &it->second : nullptr;
  }
  for (const auto& [key, replica] : group.replicas) {
    if (!eligible(group, replica, timings, now, max_master_down_time)) continue;
    if (best == nullptr || promote_before(replica, *best)) best = &replica;
  }
  return best;
}

}  // namespace sp::sentinel

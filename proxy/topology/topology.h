#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace sp::proxy {

// What a session needs to know about its group, as one immutable snapshot: sessions hold
// a shared_ptr to the snapshot they connected with, and a change is a new snapshot with a
// higher config epoch.
struct Topology {
  std::string group;        // the monitored group's name, e.g. "mymaster"
  std::string master_host;  // as configured or announced
  std::string master_ip;    // the address sessions connect to (resolved once)
  std::uint16_t master_port = 0;
  std::uint64_t epoch = 0;  // config epoch; only ever rises
  // The sentinel finds this master down (subjectively or objectively, failing over or
  // not): sessions hold new commands instead of sending them, until the master is back
  // or a new snapshot names its successor.
  bool failover_in_progress = false;
  // fence-on-minority: the sentinel cannot reach a majority of its group's sentinels, so
  // this master may be the old one on the minority side of a partition; writes are
  // refused (reads still served) so that none is acknowledged and then thrown away.
  bool writes_fenced = false;
  // The master this one replaced still answered the sentinel when it was published (a
  // planned failover): a session with commands in flight on it waits a little for their
  // replies, since a -READONLY among them proves they did not run and can be sent here.
  bool replaced_master_up = false;

  std::string master_address() const { return master_host + ":" + std::to_string(master_port); }
};

using TopologyPtr = std::shared_ptr<const Topology>;

}  // namespace sp::proxy

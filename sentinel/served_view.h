#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sentinel/address.h"
#include "sentinel/clock.h"
#include "sentinel/instance.h"

namespace sp::sentinel {

class Engine;

// What a sentinel's state asks of the proxy that serves one of its groups: where clients
// go, at which config epoch, and whether they must wait or may write. The engine shell
// computes it after every tick, event and request and hands it on when it changed; follow
// mode builds the same view from a followed sentinel's answers and events. The proxy's
// bridge (proxy/topology/served_view_bridge.h) is its one reader.
struct ServedView {
  std::string group;
  // Where clients go: the group's master, or the replica this sentinel's failover promoted
  // once it reports itself master (clients need not wait for the other replicas'
  // reconfiguration, which +switch-master ends).
  Address master;
  std::uint64_t config_epoch = 0;
  // The engine's current epoch, for the registry's gate (TopologyRegistry::publish); none
  // for a followed sentinel.
  std::optional<std::uint64_t> engine_epoch;
  // Clients hold their commands (clients_should_hold).
  bool hold = false;
  // The sentinel reaches a majority of its group's sentinels (reaches_majority): with
  // fence-on-minority, writes are refused while it does not.
  bool reaches_majority = true;
  // The master `master` replaced still answered when it was replaced (a planned failover).
  bool replaced_master_up = false;

  // The address compared with its resolved IP too: the proxy dials the IP.
  friend bool operator==(const ServedView& a, const ServedView& b) {
    return a.group == b.group && a.master == b.master && a.master.ip == b.master.ip &&
           a.config_epoch == b.config_epoch && a.engine_epoch == b.engine_epoch &&
           a.hold == b.hold && a.reaches_majority == b.reaches_majority &&
           a.replaced_master_up == b.replaced_master_up;
  }
};

// The one hold rule: clients of `group` hold their commands while this sentinel finds the
// master down, runs a failover that has not yet promoted a replica, or voted for a
// failover of it that may be promoting one right now (failover_vote_pending) — a master
// that answers again then must not take writes that the promotion would throw away. Once
// its own failover's replica reports itself master, that replica is served and nothing
// holds.
bool clients_should_hold(const Group& group, TimePoint now, Duration election_timeout);

// The view of `group` as the engine has it at `now`. `reach_judged_at`: the engine's
// Engine::reach_judged_at(now); `engine_epoch`: its current epoch.
ServedView served_view(const Group& group, TimePoint now, TimePoint reach_judged_at,
                       Duration election_timeout, std::uint64_t engine_epoch);

// The same, from the engine; nullopt when it does not monitor `group`.
std::optional<ServedView> served_view(const Engine& engine, std::string_view group, TimePoint now);

}  // namespace sp::sentinel

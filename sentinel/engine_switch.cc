// The address switch (§8.9), by the leader at the end of its failover and by
// followers on a hello with a newer configuration.
#include "sentinel/engine.h"
#include "sentinel/notices.h"

namespace sp::sentinel {

// mirrors sentinelFailoverSwitchToPromotedSlave
void Engine::switch_to_promoted(Group& group, TimePoint now) {
  const Instance* promoted = group.promoted();
  Address target = promoted != nullptr ? promoted->addr : group.master.addr;
  Notice n = about(NoticeKind::kSwitchMaster, group);
  n.to = shown_address(target, config_.hostnames);
  notice(std::move(n));
  // Our own failover: the master it replaced stays marked for conversion at once.
  const std::optional<Address> demoted = group.demoted_master;
  reset_master_and_change_address(group, target, now);
  group.demoted_master = demoted;
}

// mirrors sentinelResetMasterAndChangeAddress + sentinelResetMaster (keeping
// the sentinels): the old master becomes a replica of the new one.
void Engine::reset_master_and_change_address(Group& group, const Address& addr, TimePoint now) {
  const bool replaced_master_up = instance_answering(group.master, now);
  std::vector<Address> replicas;
  for (const auto& [key, replica] : group.replicas) {
    if (!same_address(replica.addr, addr)) replicas.push_back(replica.addr);
  }
  if (!same_address(group.master.addr, addr)) replicas.push_back(group.master.addr);

  for (auto& [key, replica] : group.replicas) close_link(group, replica);
  group.replicas.clear();
  close_link(group, group.master);
  group.master = make_instance(InstanceKind::kMaster, group.config.name, addr, now);
  group.leader.clear();  // leader_epoch is kept (§12.12)
  group.failover_state = FailoverState::kNone;
  group.failover_state_change_time = kNever;
  group.failover_start_time = kNever;
  group.force_failover = false;
  group.promoted_replica.clear();
  group.requested_replica.clear();
  group.writes_paused_at = kNever;
  group.demoted_master.reset();  // a switch learned from others: their failover, not ours
  group.demoted_master_fenced = false;
  group.replaced_master_up = replaced_master_up;

  for (const auto& replica_addr : replicas) {
    auto [it, inserted] = group.replicas.emplace(
        replica_addr.to_string(),
        make_instance(InstanceKind::kReplica, replica_name(replica_addr), replica_addr, now));
    notice(NoticeKind::kSlave, group, it->second);
  }
  persist();
  actions_.emplace_back(SwitchMaster{group.config.name, addr, group.config_epoch});
}

}  // namespace sp::sentinel

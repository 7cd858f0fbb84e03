// The leader's failover state machine: one function per state (§8).
#include "sentinel/engine.h"
#include "sentinel/notices.h"
#include "sentinel/replica_selection.h"

namespace sp::sentinel {

// mirrors sentinelFailoverStateMachine, except that the steps which wait on nobody
// (selecting the replica, sending it SLAVEOF NO ONE) follow the election in the same tick
// instead of one tick each: the same steps, some 200 ms sooner. A selection that would
// find no good replica is left to the next tick, as Sentinel would run it, so that INFO
// replies already asked for still count.
void Engine::failover_state_machine(Group& group, TimePoint now) {
  for (;;) {
    const FailoverState before = group.failover_state;
    failover_step(group, now);
    const FailoverState after = group.failover_state;
    if (after == before) return;
    if (after == FailoverState::kSelectSlave) {
      if (select_replica(group, config_.timings, now) == nullptr) return;
    } else if (after != FailoverState::kSendSlaveofNoone) {
      return;
    }
  }
}

void Engine::failover_step(Group& group, TimePoint now) {
  switch (group.failover_state) {
    case FailoverState::kNone:
      return;
    case FailoverState::kWaitStart:
      failover_wait_start(group, now);
      return;
    case FailoverState::kSelectSlave:
      failover_select_slave(group, now);
      return;
    case FailoverState::kSendSlaveofNoone:
      failover_send_slaveof_noone(group, now);
      return;
    case FailoverState::kWaitPromotion:
      failover_wait_promotion(group, now);
      return;
    case FailoverState::kReconfSlaves:
      failover_reconf_next_slave(group, now);
      return;
    case FailoverState::kUpdateConfig:
      return;  // switched at the end of the tick
  }
}

// mirrors sentinelFailoverWaitStart
void Engine::failover_wait_start(Group& group, TimePoint now) {
  std::optional<std::string> leader = get_leader(group, group.failover_epoch, now);
  bool is_leader = leader && *leader == myid_;
  if (!is_leader && !group.force_failover) {
    Duration election_timeout =
        std::min(config_.timings.election_timeout, group.config.failover_timeout);
    if (now - group.failover_start_time > election_timeout) {
      notice(NoticeKind::kFailoverAbortNotElected, group, group.master);
      abort_failover(group, now);
    }
    return;
  }
  notice(NoticeKind::kElectedLeader, group, group.master);
  group.failover_state = FailoverState::kSelectSlave;
  group.failover_state_change_time = now;
  notice(NoticeKind::kFailoverStateSelectSlave, group, group.master);
}

// mirrors sentinelFailoverSelectSlave
void Engine::failover_select_slave(Group& group, TimePoint now) {
  const Instance* chosen = select_replica(group, config_.timings, now);
  if (chosen == nullptr) {
    notice(NoticeKind::kFailoverAbortNoGoodSlave, group, group.master);
    abort_failover(group, now);
    return;
  }
  Instance& replica = group.replicas.at(chosen->addr.to_string());
  notice(NoticeKind::kSelectedSlave, group, replica);
  replica.promoted = true;
  group.promoted_replica = replica.addr.to_string();
  group.failover_state = FailoverState::kSendSlaveofNoone;
  group.failover_state_change_time = now;
  notice(NoticeKind::kFailoverStateSendSlaveofNoone, group, replica);
}

// Not in Sentinel: before a requested failover promotes its replica while the master is
// healthy, the master's writes are paused and the replica given the time to reach the
// master's offset (bounded by kMaxCatchUp). Without it the promotion drops whatever the
// replica had not received yet: writes the master has acknowledged. The pause ends with
// the demotion of the old master (its paused writers are then refused as a replica's)
// or with its timeout.
bool Engine::replica_caught_up(Group& group, const Instance& replica, TimePoint now) {
  constexpr Duration kMaxCatchUp = ms(5000);
  Instance& master = group.master;
  if (!group.force_failover || !master.link.connected || master.s_down) return true;
  if (group.writes_paused_at == kNever) {
    const Duration pause = group.config.failover_timeout;
    actions_.emplace_back(SendCommand{
        endpoint_of(group, master),
        {command_name(group, "CLIENT"), "PAUSE", std::to_string(pause.count()), "WRITE"}});
    ++master.link.pending_commands;
    // Answered after the pause took effect: its offset is the one to reach.
    actions_.emplace_back(SendInfo{endpoint_of(group, master), command_name(group, "INFO")});
    ++master.link.pending_commands;
    group.writes_paused_at = now;
    return false;
  }
  if (now - group.writes_paused_at > kMaxCatchUp) return true;
  const bool fresh =
      master.info_refresh != kNever && master.info_refresh >= group.writes_paused_at &&
      replica.info_refresh != kNever && replica.info_refresh >= group.writes_paused_at;
  if (!fresh || !master.master_repl_offset) return false;
  // The master must also have heard the replica acknowledge that offset: a WAIT on it
  // for the last writes before the pause (write-durability) is answered then, rather than
  // ended with -UNBLOCKED by the demotion, which would leave its writes unconfirmed. (A
  // paused master sends no REPLCONF GETACK: the replica's once-a-second ACK brings it.)
  return replica.slave_repl_offset >= *master.master_repl_offset &&
         replica.acked_at_master.value_or(-1) >= *master.master_repl_offset;
}

// mirrors sentinelFailoverSendSlaveOfNoOne
void Engine::failover_send_slaveof_noone(Group& group, TimePoint now) {
  Instance* replica = group.promoted();
  if (replica == nullptr) return;
  if (!replica->link.connected) {
    if (now - group.failover_state_change_time > group.config.failover_timeout) {
      notice(NoticeKind::kFailoverAbortSlaveTimeout, group, group.master);
      abort_failover(group, now);
    }
    return;
  }
  if (!replica_caught_up(group, *replica, now)) return;
  if (!send_replica_of(group, *replica, std::nullopt)) return;
  // INFO right behind the transaction on the same link is answered after it ran, so its
  // role:master arrives with the transaction's reply rather than up to a second later.
  actions_.emplace_back(SendInfo{endpoint_of(group, *replica), command_name(group, "INFO")});
  ++replica->link.pending_commands;
  notice(NoticeKind::kFailoverStateWaitPromotion, group, *replica);
  group.failover_state = FailoverState::kWaitPromotion;
  group.failover_state_change_time = now;
}

// mirrors sentinelFailoverWaitPromotion: progress comes from INFO.
void Engine::failover_wait_promotion(Group& group, TimePoint now) {
  if (now - group.failover_state_change_time > group.config.failover_timeout) {
    notice(NoticeKind::kFailoverAbortSlaveTimeout, group, group.master);
    abort_failover(group, now);
  }
}

// Not in Sentinel: the old master, when it is still reachable (a planned failover, a
// master that was only slow), is made a replica of the promoted one now, with its
// clients' connections killed by the same transaction, rather than ~8 s after the
// switch; see Group::demoted_master.
//
// A master whose writes were paused for a planned failover keeps its normal clients: the
// writes waiting in the pause are then refused with -READONLY when it is lifted behind
// the demotion, which tells their clients (and sentinel-proxy, which sends them again to
// the new master) that they did not run. Killed, they would be writes of unknown outcome.
void Engine::fence_demoted_master(Group& group, const Instance* promoted) {
  if (promoted == nullptr || group.demoted_master_fenced) return;
  if (!instance_up(group.master)) return;
  const bool paused = group.writes_paused_at != kNever;
  if (send_replica_of(group, group.master, promoted->addr, !paused)) {
    group.demoted_master_fenced = true;
    notice(NoticeKind::kConvertToSlave, group, group.master);
    unpause_writes(group);
  }
}

// mirrors sentinelFailoverReconfNextSlave: at most parallel-syncs replicas are
// being reconfigured at a time.
void Engine::failover_reconf_next_slave(Group& group, TimePoint now) {
  int in_progress = 0;
  for (const auto& [key, replica] : group.replicas) {
    if (replica.reconf == ReconfState::kSent || replica.reconf == ReconfState::kInprog) {
      ++in_progress;
    }
  }
  const Instance* promoted = group.promoted();
  fence_demoted_master(group, promoted);
  for (auto& [key, replica] : group.replicas) {
    if (in_progress >= group.config.parallel_syncs || promoted == nullptr) break;
    if (replica.promoted || replica.reconf == ReconfState::kDone) continue;
    // Stuck in "sent": consider it done; a later fix-slave-config repairs it.
    // (Sentinel then re-sends SLAVEOF in the same pass; we simply move on.)
    if (replica.reconf == ReconfState::kSent &&
        now - replica.reconf_sent_time > config_.timings.slave_reconf_timeout) {
      notice(NoticeKind::kSlaveReconfSentTimeout, group, replica);
      replica.reconf = ReconfState::kDone;
      continue;
    }
    if (replica.reconf != ReconfState::kNone || !replica.link.connected) continue;
    if (send_replica_of(group, replica, promoted->addr)) {
      replica.reconf = ReconfState::kSent;
      replica.reconf_sent_time = now;
      notice(NoticeKind::kSlaveReconfSent, group, replica);
      ++in_progress;
    }
  }
  failover_detect_end(group, now);
}

// mirrors sentinelFailoverDetectEnd
void Engine::failover_detect_end(Group& group, TimePoint now) {
  const Instance* promoted = group.promoted();
  if (promoted == nullptr || promoted->s_down) return;
  int not_reconfigured = 0;
  for (const auto& [key, replica] : group.replicas) {
    if (replica.promoted || replica.reconf == ReconfState::kDone || replica.s_down) continue;
    ++not_reconfigured;
  }
  bool timeout = now - group.failover_state_change_time > group.config.failover_timeout;
  if (timeout) {
    not_reconfigured = 0;
    notice(NoticeKind::kFailoverEndForTimeout, group, group.master);
  }
  if (not_reconfigured == 0) {
    notice(NoticeKind::kFailoverEnd, group, group.master);
    group.failover_state = FailoverState::kUpdateConfig;
    group.failover_state_change_time = now;
  }
  if (!timeout) return;
  // Best effort: point every remaining replica at the new master.
  Address target = promoted->addr;
  for (auto& [key, replica] : group.replicas) {
    if (replica.promoted || replica.reconf != ReconfState::kNone) continue;
    if (!send_replica_of(group, replica, target)) continue;
    replica.reconf = ReconfState::kSent;
    notice(NoticeKind::kSlaveReconfSentBe, group, replica);
  }
}

// mirrors sentinelAbortFailover: failover_start_time is kept, so the back-off
// of 2 x failover-timeout applies before the next attempt.
void Engine::unpause_writes(Group& group) {
  if (group.writes_paused_at == kNever) return;
  group.writes_paused_at = kNever;
  if (!group.master.link.connected) return;
  actions_.emplace_back(
      SendCommand{endpoint_of(group, group.master), {command_name(group, "CLIENT"), "UNPAUSE"}});
  ++group.master.link.pending_commands;
}

void Engine::abort_failover(Group& group, TimePoint now) {
  unpause_writes(group);
  group.failover_state = FailoverState::kNone;
  group.failover_state_change_time = now;
  group.force_failover = false;
  if (Instance* replica = group.promoted()) replica->promoted = false;
  group.promoted_replica.clear();
  group.requested_replica.clear();
}

}  // namespace sp::sentinel

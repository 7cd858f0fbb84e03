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
      notice("-failover-abort-not-elected", instance_details(group, group.master));
      abort_failover(group, now);
    }
    return;
  }
  notice("+elected-leader", instance_details(group, group.master));
  group.failover_state = FailoverState::kSelectSlave;
  group.failover_state_change_time = now;
  notice("+failover-state-select-slave", instance_details(group, group.master));
}

// mirrors sentinelFailoverSelectSlave
void Engine::failover_select_slave(Group& group, TimePoint now) {
  const Instance* chosen = select_replica(group, config_.timings, now);
  if (chosen == nullptr) {
    notice("-failover-abort-no-good-slave", instance_details(group, group.master));
    abort_failover(group, now);
    return;
  }
  Instance& replica = group.replicas.at(chosen->addr.to_string());
  notice("+selected-slave", instance_details(group, replica));
  replica.promoted = true;
  group.promoted_replica = replica.addr.to_string();
  group.failover_state = FailoverState::kSendSlaveofNoone;
  group.failover_state_change_time = now;
  notice("+failover-state-send-slaveof-noone", instance_details(group, replica));
}

// mirrors sentinelFailoverSendSlaveOfNoOne
void Engine::failover_send_slaveof_noone(Group& group, TimePoint now) {
  Instance* replica = group.promoted();
  if (replica == nullptr) return;
  if (!replica->link.connected) {
    if (now - group.failover_state_change_time > group.config.failover_timeout) {
      notice("-failover-abort-slave-timeout", instance_details(group, group.master));
      abort_failover(group, now);
    }
    return;
  }
  if (!send_replica_of(group, *replica, std::nullopt)) return;
  // INFO right behind the transaction on the same link is answered after it ran, so its
  // role:master arrives with the transaction's reply rather than up to a second later.
  actions_.emplace_back(SendInfo{endpoint_of(group, *replica), command_name(group, "INFO")});
  ++replica->link.pending_commands;
  notice("+failover-state-wait-promotion", instance_details(group, *replica));
  group.failover_state = FailoverState::kWaitPromotion;
  group.failover_state_change_time = now;
}

// mirrors sentinelFailoverWaitPromotion: progress comes from INFO.
void Engine::failover_wait_promotion(Group& group, TimePoint now) {
  if (now - group.failover_state_change_time > group.config.failover_timeout) {
    notice("-failover-abort-slave-timeout", instance_details(group, group.master));
    abort_failover(group, now);
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
  for (auto& [key, replica] : group.replicas) {
    if (in_progress >= group.config.parallel_syncs || promoted == nullptr) break;
    if (replica.promoted || replica.reconf == ReconfState::kDone) continue;
    // Stuck in "sent": consider it done; a later fix-slave-config repairs it.
    // (Sentinel then re-sends SLAVEOF in the same pass; we simply move on.)
    if (replica.reconf == ReconfState::kSent &&
        now - replica.reconf_sent_time > config_.timings.slave_reconf_timeout) {
      notice("-slave-reconf-sent-timeout", instance_details(group, replica));
      replica.reconf = ReconfState::kDone;
      continue;
    }
    if (replica.reconf != ReconfState::kNone || !replica.link.connected) continue;
    if (send_replica_of(group, replica, promoted->addr)) {
      replica.reconf = ReconfState::kSent;
      replica.reconf_sent_time = now;
      notice("+slave-reconf-sent", instance_details(group, replica));
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
    notice("+failover-end-for-timeout", instance_details(group, group.master));
  }
  if (not_reconfigured == 0) {
    notice("+failover-end", instance_details(group, group.master));
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
    notice("+slave-reconf-sent-be", instance_details(group, replica));
  }
}

// mirrors sentinelAbortFailover: failover_start_time is kept, so the back-off
// of 2 x failover-timeout applies before the next attempt.
void Engine::abort_failover(Group& group, TimePoint now) {
  group.failover_state = FailoverState::kNone;
  group.failover_state_change_time = now;
  group.force_failover = false;
  if (Instance* replica = group.promoted()) replica->promoted = false;
  group.promoted_replica.clear();
}

}  // namespace sp::sentinel

#include "sentinel/instance.h"

#include <algorithm>

namespace sp::sentinel {

std::string_view to_string(InstanceKind kind) {
  switch (kind) {
    case InstanceKind::kMaster:
      return "master";
    case InstanceKind::kReplica:
      return "slave";
    case InstanceKind::kSentinel:
      return "sentinel";
  }
  return "?";
}

std::string_view to_string(Role role) {
  switch (role) {
    case Role::kUnknown:
      return "unknown";
    case Role::kMaster:
      return "master";
    case Role::kSlave:
      return "slave";
  }
  return "?";
}

std::string_view to_string(FailoverState state) {
  switch (state) {
    case FailoverState::kNone:
      return "none";
    case FailoverState::kWaitStart:
      return "wait_start";
    case FailoverState::kSelectSlave:
      return "select_slave";
    case FailoverState::kSendSlaveofNoone:
      return "send_slaveof_noone";
    case FailoverState::kWaitPromotion:
      return "wait_promotion";
    case FailoverState::kReconfSlaves:
      return "reconf_slaves";
    case FailoverState::kUpdateConfig:
      return "update_config";
  }
  return "?";
}

std::string_view to_string(ReconfState state) {
  switch (state) {
    case ReconfState::kNone:
      return "none";
    case ReconfState::kSent:
      return "reconf_sent";
    case ReconfState::kInprog:
      return "reconf_inprog";
    case ReconfState::kDone:
      return "reconf_done";
  }
  return "?";
}

bool instance_up(const Instance& instance) {
  return instance.link.connected && !instance.s_down;
}

bool instance_answering(const Instance& instance, TimePoint now) {
  constexpr Duration kLately = ms(2000);
  if (instance.s_down) return false;
  return instance.link.connected || (instance.link.last_avail_time != kNever &&
                                     now - instance.link.last_avail_time <= kLately);
}

bool failover_vote_pending(const Group& group, TimePoint now, Duration election_timeout) {
  if (group.leader.empty() || group.leader_epoch <= group.config_epoch) return false;
  if (group.failover_start_time == kNever) return false;
  return now - group.failover_start_time <
         std::min(election_timeout, group.config.failover_timeout);
}

Address current_master_address(const Group& group) {
  const Instance* promoted = group.promoted();
  if (group.failover_in_progress() && promoted != nullptr &&
      group.failover_state >= FailoverState::kReconfSlaves) {
    return promoted->addr;
  }
  return group.master.addr;
}

bool peer_in_reach(const Group& group, const Instance& peer, TimePoint now, TimePoint judged_at) {
  // A link opened again counts once the peer answers on it: the attempt proves nothing
  // (it is "connected" from the moment it starts).
  if (!peer.link.connected || !peer.link.answered_since_open) return false;
  // Its last answer is at most half of down-after old, whatever the phase of the PINGs:
  // the majority's sentinels count a whole down-after before they can promote a replica,
  // so the minority side fences first. An answer "from the future" (the clock stepped
  // back) proves nothing until the next one, a ping period later. Just after a stall of
  // this process the age is taken at the stall's start: the answers that came meanwhile
  // are still being read.
  if (now < peer.link.last_avail_time) return false;
  if (judged_at - peer.link.last_avail_time > group.config.down_after / 2) return false;
  // Back after a gap (a partition healing, a restart of this process), a peer counts once
  // it has sent a hello since: the hello carries its view of the master, so a proxy cut
  // off while the majority promoted a replica learns of the promotion before it takes
  // writes again, instead of acknowledging writes on the replaced master meanwhile.
  return peer.link.back_in_reach_at == kNever || peer.last_hello_time >= peer.link.back_in_reach_at;
}

bool reaches_majority(const Group& group, TimePoint now, TimePoint judged_at) {
  std::size_t reachable = 1;  // itself
  std::size_t known = 1;
  for (const auto& [id, peer] : group.sentinels) {
    if (!peer.answered) continue;
    ++known;
    if (peer_in_reach(group, peer, now, judged_at)) ++reachable;
  }
  return reachable > known / 2 && reachable >= static_cast<std::size_t>(group.config.quorum);
}

}  // namespace sp::sentinel

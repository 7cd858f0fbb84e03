// Epochs, votes and leader election (§6.3, §7).
#include <map>

#include "sentinel/engine.h"
#include "sentinel/notices.h"
#include "sentinel/replica_selection.h"

namespace sp::sentinel {

namespace {

// Random offset added to failover_start_time so that sentinels that saw the
// failure together do not retry in lock step (§7.4).
constexpr std::uint64_t kStartJitterMs = 1000;

}  // namespace

// mirrors sentinelVoteLeader: one vote per epoch, first asker wins; persisted
// before the caller answers. Returns our vote (possibly an older one, possibly
// empty) and sets `leader_epoch` to its epoch.
const std::string& Engine::vote_leader(Group& group, std::uint64_t req_epoch,
                                       const std::string& req_runid, TimePoint now,
                                       std::uint64_t& leader_epoch) {
  if (req_epoch > current_epoch_) {
    current_epoch_ = req_epoch;
    persist();
    Notice n = about(NoticeKind::kNewEpoch, group);
    n.epoch = current_epoch_;
    notice(std::move(n));
  }
  if (group.leader_epoch < req_epoch && current_epoch_ <= req_epoch) {
    group.leader = req_runid;
    group.leader_epoch = current_epoch_;
    persist();
    Notice n = about(NoticeKind::kVoteForLeader, group);
    n.run_id = group.leader;
    n.epoch = group.leader_epoch;
    notice(std::move(n));
    // Voting for another sentinel backs off our own failover of this master.
    if (group.leader != myid_) {
      group.failover_start_time = now + ms(static_cast<std::int64_t>(rng_.below(kStartJitterMs)));
    }
  }
  leader_epoch = group.leader_epoch;
  return group.leader;
}

// mirrors sentinelGetLeader, with the safe tally of §12.7: only votes cast for
// `epoch` (the failover epoch) count, and if our current epoch moved past it
// nobody is elected.
std::optional<std::string> Engine::get_leader(Group& group, std::uint64_t epoch, TimePoint now) {
  std::size_t voters = group.sentinels.size() + 1;
  std::map<std::string, std::size_t> counters;
  for (const auto& [id, peer] : group.sentinels) {
    if (!peer.leader.empty() && peer.leader_epoch == epoch) ++counters[peer.leader];
  }
  std::string winner;
  std::size_t max_votes = 0;
  for (const auto& [candidate, votes] : counters) {
    if (votes > max_votes) {
      max_votes = votes;
      winner = candidate;
    }
  }
  // Our own vote goes to the most voted candidate, or to ourselves.
  std::uint64_t leader_epoch = 0;
  std::string my_vote =
      vote_leader(group, epoch, winner.empty() ? myid_ : winner, now, leader_epoch);
  if (!my_vote.empty() && leader_epoch == epoch) {
    std::size_t votes = ++counters[my_vote];
    if (votes > max_votes) {
      max_votes = votes;
      winner = my_vote;
    }
  }
  if (current_epoch_ != epoch) return std::nullopt;
  std::size_t majority = voters / 2 + 1;
  if (winner.empty() || max_votes < majority ||
      max_votes < static_cast<std::size_t>(group.config.quorum)) {
    return std::nullopt;
  }
  return winner;
}

// mirrors sentinelStartFailoverIfNeeded + sentinelStartFailover
bool Engine::start_failover_if_needed(Group& group, TimePoint now) {
  if (!group.master.o_down || group.failover_in_progress()) return false;
  if (now - group.failover_start_time < group.config.failover_timeout * 2) return false;
  start_failover(group, now);
  return true;
}

void Engine::start_failover(Group& group, TimePoint now) {
  group.failover_state = FailoverState::kWaitStart;
  group.failover_epoch = ++current_epoch_;  // persisted by the self-vote that follows
  Notice n = about(NoticeKind::kNewEpoch, group);
  n.epoch = current_epoch_;
  notice(std::move(n));
  notice(NoticeKind::kTryFailover, group, group.master);
  group.failover_start_time = now + ms(static_cast<std::int64_t>(rng_.below(kStartJitterMs)));
  group.failover_state_change_time = now;
}

FailoverRequest Engine::request_failover(std::string_view name, TimePoint now,
                                         std::string_view replica) {
  Group* group = find_group(name);
  if (group == nullptr) return FailoverRequest::kNoSuchMaster;
  if (group->failover_in_progress()) return FailoverRequest::kInProgress;
  std::string requested;
  if (!replica.empty()) {
    for (const auto& [key, r] : group->replicas) {
      const std::string port = ":" + std::to_string(r.addr.port);
      if (replica == r.addr.ip + port || replica == r.addr.host() + port) requested = key;
    }
    if (requested.empty()) return FailoverRequest::kNoSuchReplica;
  }
  group->requested_replica = requested;
  if (select_replica(*group, config_.timings, now) == nullptr) {
    group->requested_replica.clear();
    return FailoverRequest::kNoGoodReplica;
  }
  start_failover(*group, now);
  group->force_failover = true;
  return FailoverRequest::kStarted;
}

std::string failover_request_error(FailoverRequest result) {
  switch (result) {
    case FailoverRequest::kStarted:
      return "";
    case FailoverRequest::kNoSuchMaster:
      return "ERR No such master with that name";
    case FailoverRequest::kInProgress:
      return "INPROG Failover already in progress";
    case FailoverRequest::kNoGoodReplica:
      return "NOGOODSLAVE No suitable replica to promote";
    case FailoverRequest::kNoSuchReplica:
      return "ERR No such replica of this master";
  }
  return "";
}

}  // namespace sp::sentinel

// Failure detection: SDOWN, ODOWN, asking peers and answering them (§5, §6).
#include "sentinel/engine.h"
#include "sentinel/hello.h"
#include "sentinel/notices.h"

namespace sp::sentinel {

namespace {

// Peers' opinions older than this are forgotten (§1.2).
constexpr int kAskValidityPeriods = 5;
// A configured master claiming to be a replica is down after down-after plus
// this many INFO periods.
constexpr int kMasterAsReplicaInfoPeriods = 2;

}  // namespace

// mirrors sentinelCheckSubjectivelyDown
void Engine::check_subjectively_down(Group& group, Instance& instance, TimePoint now) {
  const Timings& t = config_.timings;
  const Duration down_after = group.config.down_after;
  Link& link = instance.link;
  Duration elapsed = ms(0);
  if (link.act_ping_time != kNever) {
    elapsed = now - link.act_ping_time;
  } else if (!link.connected) {
    elapsed = now - link.last_avail_time;
  }
  // A connection with a PING unanswered for half the down time is stuck:
  // close it so that the reconnect logic opens a fresh one.
  if (link.connected && now - link.connected_since > t.min_link_reconnect_period &&
      link.act_ping_time != kNever && now - link.act_ping_time > down_after / 2 &&
      now - link.last_pong_time > down_after / 2) {
    close_link(group, instance);
  }
  bool master_claims_replica =
      instance.kind == InstanceKind::kMaster && instance.role_reported == Role::kSlave &&
      now - instance.role_reported_time > down_after + t.info_period * kMasterAsReplicaInfoPeriods;
  bool rebooted_too_long =
      instance.kind == InstanceKind::kMaster && instance.master_reboot &&
      now - instance.reboot_time > group.config.master_reboot_down_after_period;
  if (elapsed > down_after || master_claims_replica || rebooted_too_long) {
    if (!instance.s_down) {
      instance.s_down = true;
      instance.s_down_since = now;
      notice(NoticeKind::kSdown, group, instance);
    }
  } else if (instance.s_down) {
    instance.s_down = false;
    instance.script_kill_sent = false;
    notice(NoticeKind::kSdownEnded, group, instance);
  }
}

// mirrors sentinelCheckObjectivelyDown
void Engine::check_objectively_down(Group& group, TimePoint now) {
  Instance& master = group.master;
  int votes = 0;
  bool odown = false;
  if (master.s_down) {
    votes = 1;
    for (const auto& [id, peer] : group.sentinels) {
      if (peer.master_down) ++votes;
    }
    odown = votes >= group.config.quorum;
  }
  if (odown) {
    if (!master.o_down) {
      master.o_down = true;
      master.o_down_since = now;
      Notice n = about(NoticeKind::kOdown, group, master);
      n.votes = votes;
      n.quorum = group.config.quorum;
      notice(std::move(n));
    }
  } else if (master.o_down) {
    master.o_down = false;
    notice(NoticeKind::kOdownEnded, group, master);
  }
}

// mirrors sentinelAskMasterStateToOtherSentinels
void Engine::ask_master_state(Group& group, bool forced, TimePoint now) {
  const Timings& t = config_.timings;
  for (auto& [id, peer] : group.sentinels) {
    Duration since_reply = now - peer.last_master_down_reply_time;
    if (since_reply > t.ask_period * kAskValidityPeriods) {
      peer.master_down = false;
      peer.leader.clear();
    }
    if (!group.master.s_down) continue;
    if (!peer.link.connected) continue;
    const Duration period =
        !group.master.o_down && !peer.master_down ? t.unconfirmed_ask_period : t.ask_period;
    if (!forced && since_reply < period) continue;
    // The asker's current epoch, and its id only while it is failing over (§12.8).
    actions_.emplace_back(AskMasterDown{
        endpoint_of(group, peer),
        {command_name(group, "SENTINEL"), "is-master-down-by-addr", announced(group.master.addr),
         std::to_string(group.master.addr.port), std::to_string(current_epoch_),
         group.failover_in_progress() ? myid_ : "*"}});
    ++peer.link.pending_commands;
  }
}

// mirrors sentinelReceiveIsMasterDownReply
void Engine::on_master_down_reply(Instance& peer, const MasterDownReply& reply, TimePoint now) {
  peer.last_master_down_reply_time = now;
  peer.master_down = reply.down;
  if (reply.leader != "*") {
    peer.leader = reply.leader;
    peer.leader_epoch = reply.leader_epoch;
  }
}

// mirrors the is-master-down-by-addr branch of sentinelCommand
IsMasterDownAnswer Engine::answer_is_master_down(std::string_view ip, int port,
                                                 std::uint64_t req_epoch,
                                                 std::string_view req_runid, TimePoint now) {
  IsMasterDownAnswer answer;
  // mirrors getSentinelRedisInstanceByAddrAndRunID: the asker may name the master by
  // hostname (announce-hostnames) or by IP.
  std::optional<Address> asked = make_address(ip, port, /*accept_unresolved=*/true);
  if (!asked) return answer;
  Group* group = nullptr;
  for (auto& g : groups_) {
    if (same_address(g.master.addr, *asked)) {
      group = &g;
      break;
    }
  }
  if (group == nullptr) return answer;
  answer.down = !tilt_ && group->master.s_down;
  // A vote at an epoch past kMaxEpoch would move our current epoch where the next
  // failover's ++ wraps it: answer the down state, vote for nobody.
  if (req_runid != "*" && req_epoch <= kMaxEpoch) {
    std::uint64_t leader_epoch = 0;
    const std::string& leader =
        vote_leader(*group, req_epoch, std::string(req_runid), now, leader_epoch);
    answer.leader = leader.empty() ? "*" : leader;
    answer.leader_epoch = leader_epoch;
  }
  return answer;
}

}  // namespace sp::sentinel

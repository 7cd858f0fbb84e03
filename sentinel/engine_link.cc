// The monitoring half: links, PING / INFO / hello cadence, PING replies.
#include <type_traits>

#include "sentinel/engine.h"
#include "sentinel/hello.h"

namespace sp::sentinel {

// mirrors createSentinelRedisInstance + createInstanceLink: a new instance is
// considered "pinged" at creation, so one that never answers is SDOWN
// down-after ms later.
Instance Engine::make_instance(InstanceKind kind, std::string name, Address addr,
                               TimePoint now) const {
  Instance instance;
  instance.kind = kind;
  instance.name = std::move(name);
  instance.addr = std::move(addr);
  instance.link.act_ping_time = now;
  instance.link.last_avail_time = now;
  instance.link.last_pong_time = now;
  instance.role_reported = kind == InstanceKind::kSentinel ? Role::kUnknown
                           : kind == InstanceKind::kMaster ? Role::kMaster
                                                           : Role::kSlave;
  instance.role_reported_time = now;
  instance.slave_conf_change_time = now;
  return instance;
}

// mirrors sentinelReconnectInstance: at most one attempt per ping period.
void Engine::reconnect_instance(Group& group, Instance& instance, TimePoint now) {
  if (instance.link.connected || instance.addr.port == 0) return;
  if (now - instance.link.last_reconnect < config_.timings.ping_period) return;
  instance.link.last_reconnect = now;
  Connect connect{endpoint_of(group, instance), {}, {}};
  if (instance.kind != InstanceKind::kSentinel) {
    connect.auth_user = group.config.auth_user;
    connect.auth_pass = group.config.auth_pass;
  }
  actions_.emplace_back(std::move(connect));
  instance.link.connected = true;
  instance.link.answered_since_open = false;
  instance.link.pending_commands = 0;
  instance.link.connected_since = now;
  send_ping(group, instance, now);
}

// mirrors sentinelSendPeriodicCommands
void Engine::send_periodic_commands(Group& group, Instance& instance, TimePoint now) {
  const Timings& t = config_.timings;
  if (!instance.link.connected) return;
  if (instance.link.pending_commands >= kMaxPendingCommands) return;
  // Replicas are polled every second while their master is down or failing over, so
  // that the replica selection has fresh INFO and the promotion and the reconfiguration
  // are seen quickly (Sentinel starts at ODOWN; SDOWN gives the polls time to land).
  Duration info_period = t.info_period;
  if (instance.kind == InstanceKind::kReplica &&
      (group.master.s_down || group.master.o_down || group.failover_in_progress() ||
       instance.master_link_down_time != ms(0))) {
    info_period = ms(1000);
  }
  // The replicas our own failover is waiting on (the promoted one, those being re-pointed)
  // are polled faster still: each INFO is what moves the failover to its next step.
  const bool awaited =
      (instance.promoted && (group.failover_state == FailoverState::kSendSlaveofNoone ||
                             group.failover_state == FailoverState::kWaitPromotion)) ||
      instance.reconf == ReconfState::kSent || instance.reconf == ReconfState::kInprog;
  if (instance.kind == InstanceKind::kReplica && awaited) info_period = t.awaited_info_period;
  // So is a master whose writes are paused for a planned failover: its INFO says when the
  // replica's acknowledgement came (replica_caught_up).
  if (&instance == &group.master && group.writes_paused_at != kNever &&
      group.failover_state == FailoverState::kSendSlaveofNoone) {
    info_period = t.awaited_info_period;
  }
  Duration ping_period = std::min(group.config.down_after, t.ping_period);
  // Peers are pinged four times per down-after at least, so that one out of reach has a
  // PING waiting half of down-after (peer_in_reach) well before the majority's sentinels
  // can promote a replica.
  if (instance.kind == InstanceKind::kSentinel) {
    ping_period = std::min(ping_period, std::max(group.config.down_after / 4, Duration(ms(100))));
  }
  if (instance.kind != InstanceKind::kSentinel &&
      (instance.info_refresh == kNever || now - instance.info_refresh > info_period)) {
    actions_.emplace_back(SendInfo{endpoint_of(group, instance), command_name(group, "INFO")});
    ++instance.link.pending_commands;
  }
  if (now - instance.link.last_pong_time > ping_period &&
      now - instance.link.last_ping_time > ping_period / 2) {
    send_ping(group, instance, now);
  }
  // PUBLISH may replicate, so a master whose writes we paused would hold it, and every
  // command behind it on the link (the demotion among them) until the pause ends.
  const bool paused = &instance == &group.master && group.writes_paused_at != kNever;
  if (now - instance.last_pub_time > t.publish_period && !paused) send_hello(group, instance);
}

// mirrors sentinelSendPing
void Engine::send_ping(Group& group, Instance& instance, TimePoint now) {
  actions_.emplace_back(SendPing{endpoint_of(group, instance), command_name(group, "PING")});
  ++instance.link.pending_commands;
  instance.link.last_ping_time = now;
  if (instance.link.act_ping_time == kNever) instance.link.act_ping_time = now;
}

// mirrors sentinelSendHello: describes the group's *current* master.
void Engine::send_hello(Group& group, Instance& instance) {
  if (!instance.link.connected) return;
  Address master = current_master_address(group);
  Hello hello;
  hello.sentinel_ip = config_.announce_ip;
  hello.sentinel_port = config_.announce_port != 0 ? config_.announce_port : config_.port;
  hello.sentinel_id = myid_;
  hello.current_epoch = current_epoch_;
  hello.master_name = group.config.name;
  hello.master_ip = announced(master);
  hello.master_port = master.port;
  hello.master_config_epoch = group.config_epoch;
  std::string payload = format_hello(hello);
  actions_.emplace_back(PublishHello{endpoint_of(group, instance), command_name(group, "PUBLISH"),
                                     std::move(hello), std::move(payload)});
  ++instance.link.pending_commands;
}

// mirrors instanceLinkCloseConnection
void Engine::close_link(Group& group, Instance& instance) {
  if (!instance.link.connected) return;
  actions_.emplace_back(Disconnect{endpoint_of(group, instance)});
  instance.link.connected = false;
  instance.link.pending_commands = 0;
}

void Engine::on_reply(const Endpoint& from, const Event& event, TimePoint now) {
  Group* group = find_group(from.group);
  if (group == nullptr) return;
  Instance* instance = find_instance(*group, from);
  if (instance == nullptr) return;
  if (std::holds_alternative<LinkDisconnected>(event)) {
    instance->link.connected = false;
    instance->link.pending_commands = 0;
    return;
  }
  if (const auto* resolved = std::get_if<HostResolved>(&event)) {
    instance->addr.ip = resolved->ip;
    return;
  }
  if (!instance->link.connected) return;  // a late reply from a closed link
  if (instance->link.pending_commands > 0) --instance->link.pending_commands;
  if (const auto* ping = std::get_if<PingReply>(&event)) {
    on_ping_reply(*group, *instance, ping->kind, now);
  } else if (const auto* info = std::get_if<InfoReply>(&event)) {
    if (instance->kind != InstanceKind::kSentinel) {
      refresh_instance_info(*group, *instance, info->text, now);
    }
  } else if (const auto* publish = std::get_if<PublishReply>(&event)) {
    // Only a non-error reply advances the hello clock (§1.2).
    if (publish->ok) instance->last_pub_time = now;
  } else if (const auto* down = std::get_if<MasterDownReply>(&event)) {
    if (instance->kind != InstanceKind::kSentinel) return;
    on_master_down_reply(*instance, *down, now);
    // A vote may complete the election: look at once rather than at the next tick.
    if (group->failover_state == FailoverState::kWaitStart && !tilt_) {
      failover_state_machine(*group, now);
    }
  }
}

// mirrors sentinelPingReplyCallback
void Engine::on_ping_reply(Group& group, Instance& instance, PingReplyKind kind, TimePoint now) {
  instance.link.last_pong_time = now;
  switch (kind) {
    case PingReplyKind::kPong:
      instance.master_reboot = false;
      [[fallthrough]];
    case PingReplyKind::kLoading:
    case PingReplyKind::kMasterDown:
      if (instance.kind == InstanceKind::kSentinel && instance.answered) {
        // Judged as peer_in_reach judges it: after a stall of this process, as of its start.
        const Duration age = reach_judged_at(now) - instance.link.last_avail_time;
        if (!instance.link.answered_since_open || age > group.config.down_after / 2 ||
            age < Duration::zero()) {
          instance.link.back_in_reach_at = now;  // see peer_in_reach
        }
      }
      instance.link.last_avail_time = now;
      instance.link.answered_since_open = true;
      instance.link.act_ping_time = kNever;
      if (!instance.answered && instance.kind == InstanceKind::kSentinel) {
        // From now on it is a peer worth keeping in the file (persisted_state).
        instance.answered = true;
        persist();
      }
      instance.answered = true;
      break;
    case PingReplyKind::kBusy:
      // A script keeps the instance busy: kill it once while it is SDOWN.
      if (instance.s_down && !instance.script_kill_sent) {
        instance.script_kill_sent = true;
        actions_.emplace_back(
            SendCommand{endpoint_of(group, instance), {command_name(group, "SCRIPT"), "KILL"}});
        ++instance.link.pending_commands;
      }
      break;
    case PingReplyKind::kOtherError:
      break;
  }
}

std::string_view to_string(PingReplyKind kind) {
  switch (kind) {
    case PingReplyKind::kPong:
      return "pong";
    case PingReplyKind::kLoading:
      return "loading";
    case PingReplyKind::kMasterDown:
      return "masterdown";
    case PingReplyKind::kBusy:
      return "busy";
    case PingReplyKind::kOtherError:
      return "error";
  }
  return "?";
}

}  // namespace sp::sentinel

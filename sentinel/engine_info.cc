// INFO processing: the monitoring half (what the instance reports) and the
// acting half (role changes, reconfiguration) of sentinelRefreshInstanceInfo.
#include "sentinel/engine.h"
#include "sentinel/info_parser.h"
#include "sentinel/notices.h"

namespace sp::sentinel {

namespace {

// Master stable enough that a replica can be pointed at it (§3.1).
constexpr int kConvertWaitPublishPeriods = 4;

// mirrors sentinelRedisInstanceNoDownFor
bool no_down_for(const Instance& instance, Duration period, TimePoint now) {
  TimePoint most_recent = std::max(instance.s_down_since, instance.o_down_since);
  return most_recent == kNever || now - most_recent > period;
}

}  // namespace

// mirrors sentinelRefreshInstanceInfo
void Engine::refresh_instance_info(Group& group, Instance& instance, const std::string& text,
                                   TimePoint now) {
  InfoReport report = parse_info(text);
  instance.info_text = text;
  if (!report.run_id.empty() && report.run_id != instance.run_id) {
    if (!instance.run_id.empty()) {
      notice(NoticeKind::kReboot, group, instance);
      if (instance.kind == InstanceKind::kMaster &&
          group.config.master_reboot_down_after_period != ms(0)) {
        instance.master_reboot = true;
        instance.reboot_time = now;
      }
    }
    instance.run_id = report.run_id;
  }
  if (instance.kind == InstanceKind::kMaster) {
    discover_replicas(group, report.replicas, now);
    note_acked_offsets(group, report);
  }
  instance.master_link_down_time = report.master_link_down_time;
  if (report.master_repl_offset) instance.master_repl_offset = report.master_repl_offset;
  if (report.role == Role::kSlave) {
    if (report.master_host && *report.master_host != instance.slave_master_host) {
      instance.slave_master_host = *report.master_host;
      instance.slave_conf_change_time = now;
    }
    if (report.master_port && *report.master_port != instance.slave_master_port) {
      instance.slave_master_port = *report.master_port;
      instance.slave_conf_change_time = now;
    }
    if (report.master_link_up) instance.slave_master_link_up = *report.master_link_up;
    if (report.slave_priority) instance.slave_priority = *report.slave_priority;
    if (report.slave_repl_offset) instance.slave_repl_offset = *report.slave_repl_offset;
    if (report.replica_announced) instance.replica_announced = *report.replica_announced;
  }
  instance.info_refresh = now;
  if (report.role == Role::kUnknown) return;
  record_role(group, instance, report.role, now);
  if (tilt_) return;  // observe, never act, in TILT
  // A configured master reporting slave: nothing is sent; it goes SDOWN (§5.2).
  if (instance.kind != InstanceKind::kReplica) return;
  if (report.role == Role::kMaster) {
    handle_replica_reporting_master(group, instance, now);
  } else {
    fix_wrong_master(group, instance, now);
    track_reconf_progress(group, instance);
  }
}

void Engine::discover_replicas(Group& group, const std::vector<Address>& replicas, TimePoint now) {
  bool added = false;
  for (const auto& reported : replicas) {
    // A hostname (replica-announce-ip) is refused without resolve-hostnames (§12.3).
    std::optional<Address> addr =
        make_address(reported.host(), reported.port, /*accept_unresolved=*/true);
    if (!addr) continue;
    std::string key = addr->to_string();
    if (group.replicas.contains(key)) continue;
    bool known = false;
    for (const auto& [other_key, other] : group.replicas) known |= same_address(other.addr, *addr);
    if (known) continue;
    auto [it, inserted] = group.replicas.emplace(
        key, make_instance(InstanceKind::kReplica, replica_name(*addr), *addr, now));
    notice(NoticeKind::kSlave, group, it->second);
    added = true;
  }
  if (added) persist();
}

void Engine::note_acked_offsets(Group& group, const InfoReport& master_report) {
  for (auto& [key, replica] : group.replicas) {
    replica.acked_at_master.reset();
    for (std::size_t i = 0; i < master_report.replicas.size(); ++i) {
      if (same_address(replica.addr, master_report.replicas[i])) {
        replica.acked_at_master = master_report.replica_acked_offsets[i];
      }
    }
  }
}

void Engine::record_role(Group& group, Instance& instance, Role role, TimePoint now) {
  if (role == instance.role_reported) return;
  instance.role_reported_time = now;
  instance.role_reported = role;
  if (role == Role::kSlave) instance.slave_conf_change_time = now;
  bool coherent = (role == Role::kMaster) == (instance.kind == InstanceKind::kMaster);
  Notice n = about(coherent ? NoticeKind::kRoleChange : NoticeKind::kRoleChangeUnexpected, group,
                   instance);
  n.role = role;
  notice(std::move(n));
}

// A replica says it is a master: either our promotion succeeded, or an old
// master came back and must be converted.
void Engine::handle_replica_reporting_master(Group& group, Instance& replica, TimePoint now) {
  if (replica.promoted && group.failover_state == FailoverState::kWaitPromotion) {
    group.config_epoch = group.failover_epoch;  // the only place a leader assigns one
    group.demoted_master = group.master.addr;
    group.demoted_master_fenced = false;
    group.failover_state = FailoverState::kReconfSlaves;
    group.failover_state_change_time = now;
    group.replaced_master_up = instance_answering(group.master, now);
    persist();
    notice(NoticeKind::kPromotedSlave, group, replica);
    notice(NoticeKind::kFailoverStateReconfSlaves, group, group.master);
    actions_.emplace_back(SwitchMaster{group.config.name, replica.addr, group.config_epoch});
    // Before the hellos that tell the other sentinels, which publish the switch to their
    // clients: the old master's paused writers are refused the sooner.
    fence_demoted_master(group, &replica);
    force_hello_update(group);
    return;
  }
  Duration wait = config_.timings.publish_period * kConvertWaitPublishPeriods;
  const bool demoted_by_us =
      group.demoted_master && same_address(*group.demoted_master, replica.addr);
  if (!replica.promoted && master_looks_sane(group, now) &&
      (demoted_by_us ||
       (no_down_for(replica, wait, now) && now - replica.role_reported_time > wait))) {
    if (send_replica_of(group, replica, group.master.addr)) {
      notice(NoticeKind::kConvertToSlave, group, replica);
    }
  }
}

// A replica following another master than ours is re-pointed, but only once
// its setting has been stable for a failover timeout (it may be mid-failover).
void Engine::fix_wrong_master(Group& group, Instance& replica, TimePoint now) {
  if (replica.slave_master_port == group.master.addr.port &&
      equals_host(group.master.addr, replica.slave_master_host)) {
    return;
  }
  Duration delay = group.config.failover_timeout;
  if (master_looks_sane(group, now) && no_down_for(replica, delay, now) &&
      now - replica.slave_conf_change_time > delay) {
    if (send_replica_of(group, replica, group.master.addr)) {
      notice(NoticeKind::kFixSlaveConfig, group, replica);
    }
  }
}

void Engine::track_reconf_progress(Group& group, Instance& replica) {
  const Instance* promoted = group.promoted();
  if (replica.reconf == ReconfState::kSent && promoted != nullptr &&
      equals_host(promoted->addr, replica.slave_master_host) &&
      replica.slave_master_port == promoted->addr.port) {
    replica.reconf = ReconfState::kInprog;
    notice(NoticeKind::kSlaveReconfInprog, group, replica);
  }
  if (replica.reconf == ReconfState::kInprog && replica.slave_master_link_up) {
    replica.reconf = ReconfState::kDone;
    notice(NoticeKind::kSlaveReconfDone, group, replica);
  }
}

// mirrors sentinelMasterLooksSane
bool Engine::master_looks_sane(const Group& group, TimePoint now) const {
  const Instance& master = group.master;
  return master.role_reported == Role::kMaster && !master.s_down && !master.o_down &&
         now - master.info_refresh < config_.timings.info_period * 2;
}

// mirrors sentinelSendSlaveOf: the whole transaction, each word renamed.
bool Engine::send_replica_of(Group& group, Instance& instance, std::optional<Address> target,
                             bool kill_normal_clients) {
  if (!instance.link.connected) return false;
  std::vector<std::string> slaveof{command_name(group, "SLAVEOF")};
  if (target) {
    slaveof.push_back(announced(*target));
    slaveof.push_back(std::to_string(target->port));
  } else {
    slaveof.push_back("NO");
    slaveof.push_back("ONE");
  }
  std::string config = command_name(group, "CONFIG");
  std::string client = command_name(group, "CLIENT");
  SendReplicaOf action{endpoint_of(group, instance), target, {}};
  action.commands = {{command_name(group, "MULTI")}, std::move(slaveof), {config, "REWRITE"}};
  if (kill_normal_clients) action.commands.push_back({client, "KILL", "TYPE", "normal"});
  action.commands.push_back({client, "KILL", "TYPE", "pubsub"});
  action.commands.push_back({command_name(group, "EXEC")});
  actions_.emplace_back(std::move(action));
  ++instance.link.pending_commands;
  return true;
}

}  // namespace sp::sentinel

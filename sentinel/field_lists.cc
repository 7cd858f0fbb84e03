#include "sentinel/field_lists.h"

namespace sp::sentinel {

namespace {

std::string millis_since(TimePoint now, TimePoint then) {
  return std::to_string((now - then).count());
}

void add(FieldList& fields, std::string name, std::string value) {
  fields.emplace_back(std::move(name), std::move(value));
}

// mirrors the common part of addReplySentinelRedisInstance
void add_common(FieldList& f, const Engine& engine, const Group& group, const Instance& ri,
                TimePoint now) {
  const std::string& ip = engine.announced(ri.addr);
  add(f, "name", ri.name);
  add(f, "ip", ip);
  add(f, "port", std::to_string(ri.addr.port));
  add(f, "runid", ri.run_id);
  add(f, "flags", instance_flags(group, ri));
  add(f, "link-pending-commands", std::to_string(ri.link.pending_commands));
  add(f, "link-refcount", "1");
  if (ri.kind == InstanceKind::kMaster && group.failover_in_progress()) {
    add(f, "failover-state", std::string(to_string(group.failover_state)));
  }
  add(f, "last-ping-sent",
      ri.link.act_ping_time == kNever ? "0" : millis_since(now, ri.link.act_ping_time));
  add(f, "last-ok-ping-reply", millis_since(now, ri.link.last_avail_time));
  add(f, "last-ping-reply", millis_since(now, ri.link.last_pong_time));
  if (ri.s_down) add(f, "s-down-time", millis_since(now, ri.s_down_since));
  if (ri.o_down) add(f, "o-down-time", millis_since(now, ri.o_down_since));
  add(f, "down-after-milliseconds", std::to_string(group.config.down_after.count()));
  if (ri.kind == InstanceKind::kSentinel) return;
  add(f, "info-refresh", ri.info_refresh == kNever ? "0" : millis_since(now, ri.info_refresh));
  add(f, "role-reported", ri.role_reported == Role::kSlave ? "slave" : "master");
  add(f, "role-reported-time", millis_since(now, ri.role_reported_time));
}

FieldList master_fields(const Engine& engine, const Group& group, TimePoint now) {
  FieldList f;
  add_common(f, engine, group, group.master, now);
  add(f, "config-epoch", std::to_string(group.config_epoch));
  add(f, "num-slaves", std::to_string(group.replicas.size()));
  add(f, "num-other-sentinels", std::to_string(group.sentinels.size()));
  add(f, "quorum", std::to_string(group.config.quorum));
  add(f, "failover-timeout", std::to_string(group.config.failover_timeout.count()));
  add(f, "parallel-syncs", std::to_string(group.config.parallel_syncs));
  if (!group.config.notification_script.empty()) {
    add(f, "notification-script", group.config.notification_script);
  }
  if (!group.config.client_reconfig_script.empty()) {
    add(f, "client-reconfig-script", group.config.client_reconfig_script);
  }
  return f;
}

FieldList replica_fields(const Engine& engine, const Group& group, const Instance& ri,
                         TimePoint now) {
  FieldList f;
  add_common(f, engine, group, ri, now);
  add(f, "master-link-down-time", std::to_string(ri.master_link_down_time.count()));
  add(f, "master-link-status", ri.slave_master_link_up ? "ok" : "err");
  add(f, "master-host", ri.slave_master_host.empty() ? "?" : ri.slave_master_host);
  add(f, "master-port", std::to_string(ri.slave_master_port));
  add(f, "slave-priority", std::to_string(ri.slave_priority));
  add(f, "slave-repl-offset", std::to_string(ri.slave_repl_offset));
  add(f, "replica-announced", ri.replica_announced ? "1" : "0");
  return f;
}

FieldList sentinel_fields(const Engine& engine, const Group& group, const Instance& ri,
                          TimePoint now) {
  FieldList f;
  add_common(f, engine, group, ri, now);
  add(f, "last-hello-message", millis_since(now, ri.last_hello_time));
  add(f, "voted-leader", ri.leader.empty() ? "?" : ri.leader);
  add(f, "voted-leader-epoch", std::to_string(ri.leader_epoch));
  return f;
}

}  // namespace

std::string instance_flags(const Group& group, const Instance& ri) {
  bool is_master = ri.kind == InstanceKind::kMaster;
  const std::pair<bool, const char*> flags[] = {
      {ri.s_down, "s_down"},
      {ri.o_down, "o_down"},
      {is_master, "master"},
      {ri.kind == InstanceKind::kReplica, "slave"},
      {ri.kind == InstanceKind::kSentinel, "sentinel"},
      {!ri.link.connected, "disconnected"},
      {ri.master_down, "master_down"},
      {is_master && group.failover_in_progress(), "failover_in_progress"},
      {ri.promoted, "promoted"},
      {ri.reconf == ReconfState::kSent, "reconf_sent"},
      {ri.reconf == ReconfState::kInprog, "reconf_inprog"},
      {ri.reconf == ReconfState::kDone, "reconf_done"},
      {is_master && group.force_failover, "force_failover"},
      {ri.script_kill_sent, "script_kill_sent"},
  };
  std::string out;
  for (const auto& [set, name] : flags) {
    if (!set) continue;
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

std::vector<FieldList> masters_reply(const Engine& engine, TimePoint now) {
  std::vector<FieldList> out;
  for (const auto& group : engine.groups()) out.push_back(master_fields(engine, group, now));
  return out;
}

std::optional<FieldList> master_reply(const Engine& engine, std::string_view name, TimePoint now) {
  const Group* group = engine.group(name);
  if (group == nullptr) return std::nullopt;
  return master_fields(engine, *group, now);
}

std::optional<std::vector<FieldList>> replicas_reply(const Engine& engine, std::string_view name,
                                                     TimePoint now) {
  const Group* group = engine.group(name);
  if (group == nullptr) return std::nullopt;
  std::vector<FieldList> out;
  for (const auto& [key, replica] : group->replicas) {
    if (replica.replica_announced) out.push_back(replica_fields(engine, *group, replica, now));
  }
  return out;
}

std::optional<std::vector<FieldList>> sentinels_reply(const Engine& engine, std::string_view name,
                                                      TimePoint now) {
  const Group* group = engine.group(name);
  if (group == nullptr) return std::nullopt;
  std::vector<FieldList> out;
  for (const auto& [id, peer] : group->sentinels)
    out.push_back(sentinel_fields(engine, *group, peer, now));
  return out;
}

}  // namespace sp::sentinel

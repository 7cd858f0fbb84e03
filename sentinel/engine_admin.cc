// The operator's commands that change what is monitored: SENTINEL MONITOR, REMOVE,
// RESET and SET (mirrors their branches of sentinelCommand and sentinelSetCommand).
#include <charconv>

#include "common/parse_number.h"
#include "sentinel/engine.h"
#include "sentinel/notices.h"

namespace sp::sentinel {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::string Engine::monitor_group(GroupConfig config, TimePoint now) {
  if (config.quorum <= 0) return "Quorum must be 1 or greater.";
  // An unresolvable name is refused here even with resolve-hostnames (as Sentinel's
  // anetResolve check in the MONITOR branch), before the port is looked at.
  std::optional<Address> addr = make_address(config.address.host(), 0, /*accept_unresolved=*/false);
  if (!addr) return "Invalid IP address or hostname specified";
  if (config.address.port <= 0 || config.address.port > 65535) return "Invalid port number";
  if (find_group(config.name) != nullptr) return "Duplicate master name.";
  addr->port = config.address.port;
  config.address = *addr;
  Group group;
  group.config = std::move(config);
  group.master = make_instance(InstanceKind::kMaster, group.config.name, group.config.address, now);
  groups_.push_back(std::move(group));
  const Group& added = groups_.back();
  Notice n = about(NoticeKind::kMonitor, added, added.master);
  n.quorum = added.config.quorum;
  notice(std::move(n));
  persist();
  return "";
}

bool Engine::remove_group(std::string_view name) {
  for (auto it = groups_.begin(); it != groups_.end(); ++it) {
    if (it->config.name != name) continue;
    Group& group = *it;
    notice(NoticeKind::kUnmonitor, group, group.master);
    close_link(group, group.master);
    for (auto& [key, replica] : group.replicas) close_link(group, replica);
    for (auto& [id, peer] : group.sentinels) close_link(group, peer);
    groups_.erase(it);
    persist();
    return true;
  }
  return false;
}

// mirrors sentinelResetMaster(ri, SENTINEL_GENERATE_EVENT): replicas, sentinels and any
// failover are forgotten; they are found again through INFO and hellos.
bool Engine::reset_group(std::string_view name, TimePoint now) {
  Group* group = find_group(name);
  if (group == nullptr) return false;
  for (auto& [key, replica] : group->replicas) close_link(*group, replica);
  for (auto& [id, peer] : group->sentinels) close_link(*group, peer);
  close_link(*group, group->master);
  group->replicas.clear();
  group->sentinels.clear();
  group->master = make_instance(InstanceKind::kMaster, group->config.name, group->master.addr, now);
  group->leader.clear();
  group->failover_state = FailoverState::kNone;
  group->failover_state_change_time = kNever;
  group->failover_start_time = kNever;
  group->force_failover = false;
  group->promoted_replica.clear();
  notice(NoticeKind::kResetMaster, *group, group->master);
  persist();
  return true;
}

// mirrors dropInstanceConnections: the master's and its replicas' links are closed, to be
// opened again with the credentials just set.
void Engine::drop_instance_connections(Group& group) {
  close_link(group, group.master);
  for (auto& [key, replica] : group.replicas) close_link(group, replica);
}

// mirrors sentinelDropConnections: every link to another sentinel is closed, to be opened
// again with the sentinel-user / sentinel-pass just set.
void Engine::drop_sentinel_connections() {
  for (Group& group : groups_) {
    for (auto& [id, peer] : group.sentinels) close_link(group, peer);
  }
}

std::string Engine::set_group_option(std::string_view name, std::string_view option,
                                     std::string_view value) {
  Group* group = find_group(name);
  if (group == nullptr) return "No such master with that name";
  GroupConfig& config = group->config;
  const std::string opt = lower(option);
  const auto number = parse_number<std::int64_t>(value);
  const std::string bad = "Invalid argument '" + std::string(value) + "' for SENTINEL SET '" +
                          std::string(option) + "'";
  if (opt == "down-after-milliseconds") {
    if (!number || *number <= 0) return bad;
    config.down_after = ms(*number);
  } else if (opt == "failover-timeout") {
    if (!number || *number <= 0) return bad;
    config.failover_timeout = ms(*number);
  } else if (opt == "parallel-syncs") {
    if (!number || *number <= 0) return bad;
    config.parallel_syncs = static_cast<int>(*number);
  } else if (opt == "quorum") {
    if (!number || *number <= 0) return bad;
    config.quorum = static_cast<int>(*number);
  } else if (opt == "master-reboot-down-after-period") {
    if (!number || *number < 0) return bad;
    config.master_reboot_down_after_period = ms(*number);
  } else if (opt == "auth-pass" || opt == "auth-user") {
    (opt == "auth-pass" ? config.auth_pass : config.auth_user) = std::string(value);
    drop_instance_connections(*group);
  } else if (opt == "notification-script" || opt == "client-reconfig-script") {
    const bool notification = opt == "notification-script";
    if (script_policy_.deny_reconfig) {
      return "Reconfiguration of scripts path is denied for security reasons. Check the "
             "deny-scripts-reconfig configuration directive in your Sentinel configuration";
    }
    const std::string path(value);
    if (!path.empty() && !(script_policy_.is_executable && script_policy_.is_executable(path))) {
      return notification ? "Notification script seems non existing or non executable"
                          : "Client reconfiguration script seems non existing or non executable";
    }
    // An empty path removes the script.
    (notification ? config.notification_script : config.client_reconfig_script) = path;
  } else {
    return "Unknown option or number of arguments for SENTINEL SET '" + std::string(option) + "'";
  }
  // The password is not shown (Sentinel redacts it in the event as well).
  Notice n = about(NoticeKind::kSet, *group, group->master);
  n.option = std::string(option);
  n.value = opt == "auth-pass" ? std::string("******") : std::string(value);
  notice(std::move(n));
  persist();
  return "";
}

}  // namespace sp::sentinel

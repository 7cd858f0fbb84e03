#include "sentinel/script_triggers.h"

namespace sp::sentinel {
std::string_view to_string(NoticeLevel level) {
  switch (level) {
    case NoticeLevel::kWarning:
      return "warning";
    case NoticeLevel::kNotice:
      return "notice";
    case NoticeLevel::kVerbose:
      return "verbose";
    case NoticeLevel::kDebug:
      return "debug";
  }
  return "notice";
}

// The levels of SENTINEL-PROTOCOL.md §9. The Debug-level events (±script-child,
// -*-link-reconnection) are only logged by the shell, never emitted as notices.
NoticeLevel notice_level(NoticeKind kind) {
  switch (kind) {
    case NoticeKind::kMonitor:
    case NoticeKind::kUnmonitor:
    case NoticeKind::kSet:
    case NoticeKind::kResetMaster:
    case NoticeKind::kSdown:
    case NoticeKind::kSdownEnded:
    case NoticeKind::kOdown:
    case NoticeKind::kOdownEnded:
    case NoticeKind::kNewEpoch:
    case NoticeKind::kVoteForLeader:
    case NoticeKind::kTryFailover:
    case NoticeKind::kElectedLeader:
    case NoticeKind::kFailoverAbortNotElected:
    case NoticeKind::kFailoverStateSelectSlave:
    case NoticeKind::kFailoverAbortNoGoodSlave:
    case NoticeKind::kSelectedSlave:
    case NoticeKind::kFailoverAbortSlaveTimeout:
    case NoticeKind::kPromotedSlave:
    case NoticeKind::kFailoverStateReconfSlaves:
    case NoticeKind::kFailoverEndForTimeout:
    case NoticeKind::kFailoverEnd:
    case NoticeKind::kSwitchMaster:
    case NoticeKind::kConfigUpdateFrom:
    case NoticeKind::kTilt:
    case NoticeKind::kTiltEnded:
    case NoticeKind::kScriptError:
    case NoticeKind::kScriptTimeout:
      return NoticeLevel::kWarning;
    case NoticeKind::kRoleChange:
    case NoticeKind::kRoleChangeUnexpected:
      return NoticeLevel::kVerbose;
    default:
      return NoticeLevel::kNotice;
  }
}

std::vector<std::vector<std::string>> ScriptTriggers::on_notice(const Notice& notice,
                                                                const std::vector<Group>& groups) {
  for (const Group& g : groups) {
    scripts_[g.config.name] =
        Scripts{g.config.notification_script, g.config.client_reconfig_script};
  }
  std::vector<std::vector<std::string>> out;
  const std::string& group = notice.group;
  const auto found = scripts_.find(group);
  if (group.empty() || found == scripts_.end() ||
      notice_level(notice.kind) != NoticeLevel::kWarning) {
    previous_ = notice;
    return out;
  }
  const Scripts& scripts = found->second;
  if (!scripts.notification.empty()) {
    out.push_back({scripts.notification, std::string(to_string(notice.kind)), to_text(notice)});
  }

  auto reconfig = [&](const char* role, const ShownAddress& from, const ShownAddress& to) {
    if (scripts.client_reconfig.empty()) return;
    out.push_back({scripts.client_reconfig, group, role, "start", from.host,
                   std::to_string(from.port), to.host, std::to_string(to.port)});
  };
  if (notice.kind == NoticeKind::kPromotedSlave && notice.subject) {
    promoted_[group] = notice;
  } else if (notice.kind == NoticeKind::kFailoverStateReconfSlaves && promoted_.contains(group)) {
    // From the master to the promoted replica.
    const Notice promoted = std::move(promoted_[group]);
    promoted_.erase(group);
    reconfig("leader", promoted.master, promoted.subject->addr);
  } else if (notice.kind == NoticeKind::kSwitchMaster &&
             previous_.kind == NoticeKind::kConfigUpdateFrom && previous_.group == group) {
    reconfig("observer", notice.master, notice.to);
  }
  if (notice.kind == NoticeKind::kUnmonitor) scripts_.erase(group);
  previous_ = notice;
  return out;
}

}  // namespace sp::sentinel

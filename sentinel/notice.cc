#include "sentinel/notice.h"

#include <array>

namespace sp::sentinel {
namespace {

// Indexed by NoticeKind.
constexpr std::array<std::string_view, kNoticeKinds> kNames = {
    "+monitor",
    "-monitor",
    "+reset-master",
    "+set",
    "+sdown",
    "-sdown",
    "+odown",
    "-odown",
    "+new-epoch",
    "+vote-for-leader",
    "+try-failover",
    "+elected-leader",
    "+failover-state-select-slave",
    "+selected-slave",
    "+failover-state-send-slaveof-noone",
    "+failover-state-wait-promotion",
    "+promoted-slave",
    "+failover-state-reconf-slaves",
    "+slave-reconf-sent",
    "-slave-reconf-sent-timeout",
    "+slave-reconf-inprog",
    "+slave-reconf-done",
    "+slave-reconf-sent-be",
    "+failover-end-for-timeout",
    "+failover-end",
    "-failover-abort-not-elected",
    "-failover-abort-no-good-slave",
    "-failover-abort-slave-timeout",
    "+switch-master",
    "+config-update-from",
    "+convert-to-slave",
    "+fix-slave-config",
    "+slave",
    "+sentinel",
    "+sentinel-address-switch",
    "+sentinel-address-update",
    "+sentinel-invalid-addr",
    "+reboot",
    "+role-change",
    "-role-change",
    "+tilt",
    "-tilt",
    "-hello-rejected",
    "-script-error",
    "-script-timeout",
};
static_assert(static_cast<std::size_t>(NoticeKind::kScriptTimeout) + 1 == kNoticeKinds);

constexpr std::string_view kAbortPrefix = "-failover-abort-";

void append_address(std::string& text, const ShownAddress& addr) {
  text += addr.host;
  text += ' ';
  text += std::to_string(addr.port);
}

// mirrors the "%@" of sentinelEvent: "<kind> <name> <ip> <port>", plus
// " @ <master> <ip> <port>" for replicas and sentinels.
std::string instance_details(const Notice& n) {
  const NoticeInstance& subject = n.subject.value_or(NoticeInstance{});
  std::string text(to_string(subject.kind));
  text += ' ';
  text += subject.name;
  text += ' ';
  append_address(text, subject.addr);
  if (subject.kind != InstanceKind::kMaster) {
    text += " @ ";
    text += n.group;
    text += ' ';
    append_address(text, n.master);
  }
  return text;
}

}  // namespace

std::string_view to_string(NoticeKind kind) {
  const auto i = static_cast<std::size_t>(kind);
  return i < kNames.size() ? kNames[i] : "unknown";
}

std::optional<NoticeKind> notice_kind(std::string_view event_name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == event_name) return static_cast<NoticeKind>(i);
  }
  return std::nullopt;
}

std::optional<std::string_view> failover_abort_reason(NoticeKind kind) {
  switch (kind) {
    case NoticeKind::kFailoverAbortNotElected:
    case NoticeKind::kFailoverAbortNoGoodSlave:
    case NoticeKind::kFailoverAbortSlaveTimeout:
      return to_string(kind).substr(kAbortPrefix.size());
    default:
      return std::nullopt;
  }
}

Notice master_notice(NoticeKind kind, std::string group, ShownAddress addr) {
  Notice n{.kind = kind};
  n.subject = NoticeInstance{InstanceKind::kMaster, group, addr};
  n.group = std::move(group);
  n.master = std::move(addr);
  return n;
}

Notice script_error_notice(std::string script, int signal, int exit_code) {
  Notice n{.kind = NoticeKind::kScriptError};
  n.script = std::move(script);
  n.signal = signal;
  n.exit_code = exit_code;
  return n;
}

std::string to_text(const Notice& n) {
  switch (n.kind) {
    case NoticeKind::kMonitor:
      return instance_details(n) + " quorum " + std::to_string(n.quorum);
    case NoticeKind::kSet:
      return instance_details(n) + " " + n.option + " " + n.value;
    case NoticeKind::kOdown:
      return instance_details(n) + " #quorum " + std::to_string(n.votes) + "/" +
             std::to_string(n.quorum);
    case NoticeKind::kNewEpoch:
      return std::to_string(n.epoch);
    case NoticeKind::kVoteForLeader:
      return n.run_id + " " + std::to_string(n.epoch);
    case NoticeKind::kSwitchMaster: {
      std::string text = n.group + " ";
      append_address(text, n.master);
      text += ' ';
      append_address(text, n.to);
      return text;
    }
    case NoticeKind::kSentinelAddressSwitch:
      return instance_details(n) + " ip " + n.to.host + " port " + std::to_string(n.to.port) +
             " for " + n.run_id;
    case NoticeKind::kSentinelAddressUpdate:
      return instance_details(n) + " " + std::to_string(n.count) + " additional matching instances";
    case NoticeKind::kRoleChange:
    case NoticeKind::kRoleChangeUnexpected:
      return instance_details(n) + " new reported role is " + std::string(to_string(n.role));
    case NoticeKind::kTilt:
      return "#tilt mode entered";
    case NoticeKind::kTiltEnded:
      return "#tilt mode exited";
    case NoticeKind::kHelloRejected: {
      std::string text = n.reason;
      if (n.count > 0) text += " (and " + std::to_string(n.count) + " more since the last)";
      return text;
    }
    case NoticeKind::kScriptError:
      return n.script + " " + std::to_string(n.signal) + " " + std::to_string(n.exit_code);
    case NoticeKind::kScriptTimeout:
      return n.script + " " + std::to_string(n.pid);
    default:
      return instance_details(n);
  }
}

}  // namespace sp::sentinel

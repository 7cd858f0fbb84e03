#include "sentinel/script_triggers.h"

#include <algorithm>
#include <array>
#include <sstream>

namespace sp::sentinel {
namespace {

constexpr std::array<std::string_view, 27> kWarningEvents = {
    "+monitor",
    "-monitor",
    "+set",
    "+reset-master",
    "+sdown",
    "-sdown",
    "+odown",
    "-odown",
    "+new-epoch",
    "+vote-for-leader",
    "+try-failover",
    "+elected-leader",
    "-failover-abort-not-elected",
    "+failover-state-select-slave",
    "-failover-abort-no-good-slave",
    "+selected-slave",
    "-failover-abort-slave-timeout",
    "+promoted-slave",
    "+failover-state-reconf-slaves",
    "+failover-end-for-timeout",
    "+failover-end",
    "+switch-master",
    "+config-update-from",
    "+tilt",
    "-tilt",
    "-script-error",
    "-script-timeout",
};

constexpr std::array<std::string_view, 2> kVerboseEvents = {"+role-change", "-role-change"};

constexpr std::array<std::string_view, 4> kDebugEvents = {
    "+script-child", "-script-child", "-cmd-link-reconnection", "-pubsub-link-reconnection"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view type) {
  return std::find(names.begin(), names.end(), type) != names.end();
}

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) out.push_back(std::move(word));
  return out;
}

}  // namespace

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

NoticeLevel notice_level(std::string_view type) {
  if (contains(kWarningEvents, type)) return NoticeLevel::kWarning;
  if (contains(kVerboseEvents, type)) return NoticeLevel::kVerbose;
  if (contains(kDebugEvents, type)) return NoticeLevel::kDebug;
  return NoticeLevel::kNotice;
}

std::string notice_group(const Notice& notice) {
  if (!notice.group.empty()) return notice.group;
  const std::vector<std::string> w = words(notice.text);
  if (notice.type == "+switch-master") return w.empty() ? "" : w[0];
  // "%@": "<type> <name> <ip> <port>" and, for non-masters, " @ <master> <ip> <port>".
  if (w.size() >= 4 && w[0] == "master") return w[1];
  if (w.size() >= 6 && (w[0] == "slave" || w[0] == "sentinel") && w[4] == "@") return w[5];
  return "";
}

std::vector<std::vector<std::string>> ScriptTriggers::on_notice(const Notice& notice,
                                                                const std::vector<Group>& groups) {
  for (const Group& g : groups) {
    scripts_[g.config.name] =
        Scripts{g.config.notification_script, g.config.client_reconfig_script};
  }
  std::vector<std::vector<std::string>> out;
  const std::string group = notice_group(notice);
  const auto found = scripts_.find(group);
  if (group.empty() || found == scripts_.end() ||
      notice_level(notice.type) != NoticeLevel::kWarning) {
    previous_ = notice;
    return out;
  }
  const Scripts& scripts = found->second;
  if (!scripts.notification.empty())
    out.push_back({scripts.notification, notice.type, notice.text});

  auto reconfig = [&](const char* role, std::string from_ip, std::string from_port,
                      std::string to_ip, std::string to_port) {
    if (scripts.client_reconfig.empty()) return;
    out.push_back({scripts.client_reconfig, group, role, "start", std::move(from_ip),
                   std::move(from_port), std::move(to_ip), std::move(to_port)});
  };
  if (notice.type == "+promoted-slave") {
    promoted_[group] = notice.text;
  } else if (notice.type == "+failover-state-reconf-slaves" && promoted_.contains(group)) {
    // "slave <name> <ip> <port> @ <master> <master-ip> <master-port>": from the
    // master to the promoted replica.
    const std::vector<std::string> w = words(promoted_[group]);
    promoted_.erase(group);
    if (w.size() >= 8) reconfig("leader", w[6], w[7], w[2], w[3]);
  } else if (notice.type == "+switch-master" && previous_.type == "+config-update-from" &&
             notice_group(previous_) == group) {
    // "<name> <old-ip> <old-port> <new-ip> <new-port>"
    const std::vector<std::string> w = words(notice.text);
    if (w.size() >= 5) reconfig("observer", w[1], w[2], w[3], w[4]);
  }
  if (notice.type == "-monitor") scripts_.erase(group);
  previous_ = notice;
  return out;
}

}  // namespace sp::sentinel

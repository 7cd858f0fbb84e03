#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/instance.h"
#include "sentinel/notice.h"

namespace sp::sentinel {

// The log level of each Sentinel event (SENTINEL-PROTOCOL.md §9): only Warning-level
// events run a notification script, and Debug-level ones are not published.
enum class NoticeLevel : std::uint8_t { kWarning, kNotice, kVerbose, kDebug };
std::string_view to_string(NoticeLevel level);
NoticeLevel notice_level(NoticeKind kind);

// The user scripts an event schedules, each as an argv with the script path first:
// - the group's notification script with `<event> <text>` for each Warning-level
//   event about the group (mirrors sentinelEvent);
// - the group's client-reconfig script with `<name> leader|observer start <from-ip>
//   <from-port> <to-ip> <to-port>` (mirrors sentinelCallClientReconfScript): as the
//   leader at +failover-state-reconf-slaves after our +promoted-slave, as an observer
//   at a +switch-master that follows a +config-update-from (a switch learned from a
//   peer's hello).
// Fed every notice in the order the engine emitted them, with the engine's groups as
// they are when the notice is executed.
class ScriptTriggers {
 public:
  std::vector<std::vector<std::string>> on_notice(const Notice& notice,
                                                  const std::vector<Group>& groups);

 private:
  struct Scripts {
    std::string notification;
    std::string client_reconfig;
  };

  // Sentinel runs the script of a removed master for its -monitor event: the engine has
  // already dropped the group when the notice runs, so the paths seen last are kept.
  std::map<std::string, Scripts> scripts_;
  std::map<std::string, Notice> promoted_;  // group -> our +promoted-slave
  Notice previous_;
};

}  // namespace sp::sentinel

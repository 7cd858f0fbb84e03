#include "proxy/master_notice.h"

#include <string>

namespace sp::proxy {

bool names_current_master(std::string_view text, const Topology& current) {
  // The notice shows the master's hostname or its IP (announce-hostnames).
  auto names = [&](const std::string& host) {
    const std::string details =
        "master " + current.group + " " + host + " " + std::to_string(current.master_port);
    if (!text.starts_with(details)) return false;
    return text.size() == details.size() || text[details.size()] == ' ';
  };
  return names(current.master_ip) || names(current.master_host);
}

std::optional<bool> hold_wanted(std::string_view type, NoticeSource source) {
  if (type == "+odown" || type == "+try-failover") return true;
  if (type == "+sdown") {
    if (source == NoticeSource::kOwnSentinel) return true;
    return std::nullopt;
  }
  if (type == "-sdown") return false;
  if (type == "-odown" && source == NoticeSource::kFollowedSentinel) return false;
  return std::nullopt;
}

std::optional<bool> apply_master_notice(TopologyRegistry& registry, std::string_view type,
                                        std::string_view text, NoticeSource source) {
  const auto hold = hold_wanted(type, source);
  if (!hold) return std::nullopt;
  const TopologyPtr current = registry.current();
  if (!current || !names_current_master(text, *current)) return std::nullopt;
  if (!registry.set_failover_in_progress(*hold)) return std::nullopt;
  return hold;
}

}  // namespace sp::proxy

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

std::string notice_subject(std::string_view type, std::string_view text, const std::string& group,
                           std::string_view master_ip, int master_port) {
  if (type != "+vote-for-leader") return std::string(text);
  return "master " + group + " " + std::string(master_ip) + " " + std::to_string(master_port);
}

std::optional<bool> hold_wanted(std::string_view type, NoticeSource source) {
  if (type == "+odown" || type == "+try-failover") return true;
  // The proxy's own sentinel voting for a failover of the master learns that one is under
  // way, whether or not it finds the master down itself: a replica may be promoted.
  if (type == "+sdown" || type == "+vote-for-leader") {
    if (source == NoticeSource::kOwnSentinel) return true;
    return std::nullopt;
  }
  if (type == "-sdown") return false;
  if (type == "-odown" && source == NoticeSource::kFollowedSentinel) return false;
  return std::nullopt;
}

std::optional<bool> apply_master_notice(TopologyRegistry& registry, std::string_view type,
                                        std::string_view text, NoticeSource source,
                                        bool keep_holding) {
  const auto hold = hold_wanted(type, source);
  if (!hold || (!*hold && keep_holding)) return std::nullopt;
  const TopologyPtr current = registry.current();
  if (!current || !names_current_master(text, *current)) return std::nullopt;
  if (!registry.set_failover_in_progress(*hold)) return std::nullopt;
  return hold;
}

bool end_unwanted_hold(TopologyRegistry& registry, std::string_view ip, int port, bool wanted) {
  if (wanted) return false;
  const TopologyPtr current = registry.current();
  if (!current || !current->failover_in_progress) return false;
  if (current->master_ip != ip || current->master_port != port) return false;
  return registry.set_failover_in_progress(false);
}

}  // namespace sp::proxy

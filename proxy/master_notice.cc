#include "proxy/master_notice.h"

namespace sp::proxy {

bool names_current_master(const sentinel::Notice& notice, const Topology& current) {
  using sentinel::NoticeKind;
  if (notice.group != current.group) return false;
  const sentinel::ShownAddress* master = nullptr;
  if (notice.subject && notice.subject->kind == sentinel::InstanceKind::kMaster) {
    master = &notice.subject->addr;
  } else if (notice.kind == NoticeKind::kVoteForLeader) {
    master = &notice.master;
  } else {
    return false;
  }
  return master->port == current.master_port &&
         (master->host == current.master_ip || master->host == current.master_host);
}

std::optional<bool> hold_wanted(sentinel::NoticeKind kind, NoticeSource source) {
  using sentinel::NoticeKind;
  if (kind == NoticeKind::kOdown || kind == NoticeKind::kTryFailover) return true;
  // The proxy's own sentinel voting for a failover of the master learns that one is under
  // way, whether or not it finds the master down itself: a replica may be promoted.
  if (kind == NoticeKind::kSdown || kind == NoticeKind::kVoteForLeader) {
    if (source == NoticeSource::kOwnSentinel) return true;
    return std::nullopt;
  }
  if (kind == NoticeKind::kSdownEnded) return false;
  if (kind == NoticeKind::kOdownEnded && source == NoticeSource::kFollowedSentinel) return false;
  return std::nullopt;
}

std::optional<bool> apply_master_notice(TopologyRegistry& registry, const sentinel::Notice& notice,
                                        NoticeSource source, bool keep_holding) {
  const auto hold = hold_wanted(notice.kind, source);
  if (!hold || (!*hold && keep_holding)) return std::nullopt;
  const TopologyPtr current = registry.current();
  if (!current || !names_current_master(notice, *current)) return std::nullopt;
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

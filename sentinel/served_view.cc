#include "sentinel/served_view.h"

#include "sentinel/engine.h"

namespace sp::sentinel {
namespace {

// Its own failover promoted a replica that now reports itself master.
bool serves_promoted_replica(const Group& group) {
  return group.failover_in_progress() && group.promoted() != nullptr &&
         group.failover_state >= FailoverState::kReconfSlaves;
}

}  // namespace

bool clients_should_hold(const Group& group, TimePoint now, Duration election_timeout) {
  if (serves_promoted_replica(group)) return false;
  return group.master.s_down || group.failover_in_progress() ||
         failover_vote_pending(group, now, election_timeout);
}

ServedView served_view(const Group& group, TimePoint now, TimePoint reach_judged_at,
                       Duration election_timeout, std::uint64_t engine_epoch) {
  ServedView view;
  view.group = group.config.name;
  view.master = current_master_address(group);
  view.config_epoch = group.config_epoch;
  view.engine_epoch = engine_epoch;
  view.hold = clients_should_hold(group, now, election_timeout);
  view.reaches_majority = reaches_majority(group, now, reach_judged_at);
  view.replaced_master_up = group.replaced_master_up;
  return view;
}

std::optional<ServedView> served_view(const Engine& engine, std::string_view group, TimePoint now) {
  const Group* found = engine.group(group);
  if (found == nullptr) return std::nullopt;
  return served_view(*found, now, engine.reach_judged_at(now), engine.timings().election_timeout,
                     engine.current_epoch());
}

}  // namespace sp::sentinel

#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "proxy/topology.h"
#include "proxy/topology_registry.h"
#include "sentinel/notice.h"

namespace sp::proxy {

// Where a sentinel notice comes from. The proxy's own sentinel sees the master from where
// the proxy stands, so its subjective +sdown already means sessions cannot reach it; a
// followed sentinel is elsewhere, and only the group's agreement (+odown, +try-failover)
// says the master is going away.
enum class NoticeSource { kOwnSentinel, kFollowedSentinel };

// True when `notice` is about the master sessions use now: the master of its group is the
// subject (shown by its hostname or its IP, with announce-hostnames), or, for
// +vote-for-leader, which names no instance, the group's master as the sentinel has it.
bool names_current_master(const sentinel::Notice& notice, const Topology& current);

// What a notice of `kind` about the current master asks of sessions: hold their commands
// (true), go on (false), or nothing.
std::optional<bool> hold_wanted(sentinel::NoticeKind kind, NoticeSource source);

// Sets or clears the registry's failover_in_progress for a notice about the master sessions
// use now. A late notice about the master just replaced is ignored: it must not make clients
// of its successor wait. `keep_holding`: the sentinel still asks for the hold
// (clients_should_hold), so a notice that would end it (-sdown of a master whose failover
// this sentinel voted for) does not. Returns the new state when it changed, for the caller
// to log.
std::optional<bool> apply_master_notice(TopologyRegistry& registry, const sentinel::Notice& notice,
                                        NoticeSource source, bool keep_holding = false);

// Ends a hold that the sentinel no longer asks for (`wanted` false) once a notice could
// not: the one kept past -sdown by a vote, when the election timed out. Only while the
// registry routes to the sentinel's master (`ip`, `port`). True when the hold ended.
bool end_unwanted_hold(TopologyRegistry& registry, std::string_view ip, int port, bool wanted);

}  // namespace sp::proxy

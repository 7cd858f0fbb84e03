#pragma once

#include "sentinel/config.h"
#include "sentinel/instance.h"

namespace sp::sentinel {

// The promotion order of eligible replicas (compareSlavesForPromotion):
//   1. lower slave_priority first (0 is never eligible);
//   2. then the larger slave_repl_offset (the most data);
//   3. then the smaller run id, compared case-insensitively; a replica whose
//      run id is still unknown sorts after every one that has one.
// Returns true if `a` should be promoted before `b`.
bool promote_before(const Instance& a, const Instance& b);

// mirrors sentinelSelectSlave: the best eligible replica of the group, or
// nullptr. Eligible = not SDOWN/ODOWN, link up, acceptable PING reply within
// 5 x ping period, priority != 0, INFO fresh enough (5 x ping period if the
// master is SDOWN, else 3 x info period), and its master link not down for
// longer than the master has been SDOWN + 10 x down-after.
const Instance* select_replica(const Group& group, const Timings& timings, TimePoint now);

}  // namespace sp::sentinel

#pragma once

#include <string>

#include "proxy/failover/failover_recorder.h"

namespace sp::proxy {

// The reply to PROXY FAILOVER HISTORY: an array of the recorder's failovers, newest first,
// each a map (a flat field/value array in RESP2) of id, outcome, reason, old-master,
// new-master, config-epoch, leader (yes/no), started-at (unix ms), then the milliseconds
// from the start to sdown, odown, elected, promoted, swapped and the end (total), -1 when
// not seen, and offset-lost (bytes, -1 when unknown).
std::string failover_history_reply(const FailoverRecorder& recorder, int resp_version);

// The same in brief for PROXY INFO's "# Failover" section: failovers_total (every outcome),
// last_failover_outcome ("none" before the first), last_failover_total_ms, last_offset_lost
// ("key:value\r\n" lines).
std::string failover_info_fields(const FailoverRecorder& recorder);

}  // namespace sp::proxy

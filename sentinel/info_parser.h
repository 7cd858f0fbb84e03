#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/address.h"
#include "sentinel/instance.h"

namespace sp::sentinel {

// The fields of an INFO reply that Sentinel uses (§3), nothing else. Replica
// fields are only filled after a `role:slave` line, as sentinelRefreshInstanceInfo
// reads them.
struct InfoReport {
  std::string run_id;  // empty unless a full 40-char run_id line was present
  Role role = Role::kUnknown;
  std::vector<Address> replicas;  // slave<N>: lines of a master
  // Their offset= fields, in the same order (nullopt: none, the old form): the offset each
  // replica acknowledged to the master (REPLCONF ACK). Not used by Sentinel's decisions.
  std::vector<std::optional<std::int64_t>> replica_acked_offsets;
  Duration master_link_down_time = ms(0);  // master_link_down_since_seconds x 1000
  std::optional<std::string> master_host;
  std::optional<int> master_port;
  std::optional<bool> master_link_up;
  std::optional<int> slave_priority;
  std::optional<std::int64_t> slave_repl_offset;
  // Not used by Sentinel's decisions: kept so that the proxy can tell how much a failover
  // lost (the old master's last offset against the promoted replica's).
  std::optional<std::int64_t> master_repl_offset;
  std::optional<bool> replica_announced;
};

// Pure: splits on CRLF (a bare LF is tolerated) and never fails; unknown or
// malformed lines are skipped.
InfoReport parse_info(std::string_view text);

}  // namespace sp::sentinel

#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/notice.h"

namespace sp::proxy {

enum class FailoverOutcome { kInProgress, kSwitched, kAborted, kRecovered };
// "in-progress" | "switched" | "aborted" | "recovered"
std::string_view to_string(FailoverOutcome outcome);

// The moments of one failover, in the order they normally come.
enum class FailoverMilestone { kSdown, kOdown, kElected, kPromoted, kSwapped, kEnded };
inline constexpr std::size_t kFailoverMilestones = 6;

// The phases the histogram shows, each between two milestones (kTotal: start to end).
enum class FailoverPhase {
  kSdownToOdown,
  kOdownToElected,
  kElectedToPromoted,
  kPromotedToSwapped,
  kTotal
};
inline constexpr std::size_t kFailoverPhases = 5;
// "sdown_to_odown" | ... | "total": the `phase` label.
std::string_view to_string(FailoverPhase phase);

// Upper bounds of the phase histogram, in seconds: an election round trip is tens of ms,
// a whole failover a few seconds, a slow one runs into failover-timeout.
inline constexpr std::array<double, 12> kFailoverPhaseBounds = {0.05, 0.1,  0.25, 0.5,  1.0,  2.5,
                                                                5.0,  10.0, 20.0, 30.0, 45.0, 60.0};

// When something happened: the steady clock for durations, the wall clock for the start
// shown to people.
struct FailoverStamp {
  std::chrono::steady_clock::time_point steady;
  std::int64_t unix_ms = 0;
  static FailoverStamp now();
};

// What the sentinel knows of the group's replication offsets at one moment, from the last
// INFO of each instance. Addresses are "host:port" as the engine's notices show them.
struct ReplicationOffsets {
  std::string master;
  std::optional<std::int64_t> master_offset;            // master_repl_offset
  std::map<std::string, std::int64_t> replica_offsets;  // slave_repl_offset
};

// One failover of the served group as this process saw it.
struct FailoverRecord {
  std::uint64_t id = 0;
  FailoverOutcome outcome = FailoverOutcome::kInProgress;
  std::string reason;  // why it was aborted ("not-elected", "no-good-slave", ...)
  std::string old_master;
  std::string new_master;
  std::uint64_t config_epoch = 0;
  bool leader = false;  // this process's sentinel was elected and promoted the replica
  std::int64_t started_at_unix_ms = 0;
  std::chrono::steady_clock::time_point started;
  std::array<std::optional<std::chrono::microseconds>, kFailoverMilestones> at{};
  // Bytes the old master had that the promoted replica had not (as last seen); -1 unknown.
  std::int64_t offset_lost = -1;
  // A failover step was seen (tried, elected, promoted, switch learned): the master coming
  // back no longer makes it "recovered".
  bool acted = false;

  // Milliseconds from the start to `m`, -1 when it was not seen.
  std::int64_t ms(FailoverMilestone m) const;
};

// A Prometheus histogram's state: per-bucket counts (last = +Inf), not cumulative.
struct PhaseHistogram {
  std::array<std::int64_t, kFailoverPhaseBounds.size() + 1> buckets{};
  std::int64_t count = 0;
  double sum_seconds = 0;
};

// Counters over every failover since start.
struct FailoverTotals {
  std::array<std::int64_t, 3> outcomes{};  // switched, aborted, recovered
  std::array<PhaseHistogram, kFailoverPhases> phases{};
  std::int64_t offset_lost_bytes = 0;
  std::int64_t last_offset_lost = -1;  // of the last switched failover whose offsets were known
  std::optional<FailoverRecord> last;  // the last finished record
  std::optional<std::uint64_t> config_epoch;  // of the group, as the sentinel knows it
};

// Turns the sentinel engine's notices about the served group into one record per failover
// (the last kHistorySize kept) and counters for /metrics. Fed on the engine thread
// (on_notice) and the publishing thread (on_published); read by PROXY commands and scrapes on
// other threads. Everything goes through one mutex: notices and reads are rare and never on
// the data path.
class FailoverRecorder {
 public:
  static constexpr std::size_t kHistorySize = 16;

  explicit FailoverRecorder(std::string group) : group_(std::move(group)) {}

  // One engine notice, with the offsets the engine knows as it is handled.
  void on_notice(const sentinel::Notice& notice, const FailoverStamp& now,
                 const ReplicationOffsets& offsets);
  // The proxy's topology as published to its sessions: the first call is the start-up
  // master, each later one with a higher config epoch a swap to a new master.
  void on_published(const std::string& master, std::uint64_t config_epoch,
                    const FailoverStamp& now);
  void set_config_epoch(std::uint64_t epoch);

  // The open record (if any) then finished ones, newest first, at most kHistorySize.
  std::vector<FailoverRecord> history() const;
  FailoverTotals totals() const;

 private:
  struct DownSince {
    std::string master;
    FailoverStamp at;
  };

  FailoverRecord& open(const std::string& old_master, const FailoverStamp& now);
  void mark(FailoverRecord& record, FailoverMilestone m, const FailoverStamp& now);
  void finish(FailoverOutcome outcome, const FailoverStamp& now);
  void count(const FailoverRecord& record);
  void compute_offset_lost(FailoverRecord& record) const;
  void on_master_notice(sentinel::NoticeKind kind, const std::string& master,
                        const FailoverStamp& now);
  void on_switch_notice(const sentinel::Notice& notice, const FailoverStamp& now);

  const std::string group_;
  mutable std::mutex mutex_;
  std::optional<FailoverRecord> open_;
  std::deque<FailoverRecord> finished_;  // newest at the front
  std::uint64_t next_id_ = 1;
  std::optional<DownSince> sdown_;  // the current master is SDOWN since
  std::optional<DownSince> odown_;
  ReplicationOffsets known_;  // the last offsets seen of the old master's group
  std::optional<std::uint64_t> published_epoch_;
  FailoverTotals totals_;
};

}  // namespace sp::proxy

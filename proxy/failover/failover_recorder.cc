#include "proxy/failover/failover_recorder.h"

#include <algorithm>

namespace sp::proxy {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;

using sentinel::NoticeKind;

// "host:port" as the engine's notices show it.
std::string address(const sentinel::ShownAddress& addr) {
  return addr.host + ":" + std::to_string(addr.port);
}

std::size_t index(FailoverMilestone m) {
  return static_cast<std::size_t>(m);
}

// The phase's two ends; kTotal runs from the start to the end.
struct PhaseEnds {
  std::optional<FailoverMilestone> from;
  FailoverMilestone to;
};

PhaseEnds ends_of(FailoverPhase phase) {
  switch (phase) {
    case FailoverPhase::kSdownToOdown:
      return {FailoverMilestone::kSdown, FailoverMilestone::kOdown};
    case FailoverPhase::kOdownToElected:
      return {FailoverMilestone::kOdown, FailoverMilestone::kElected};
    case FailoverPhase::kElectedToPromoted:
      return {FailoverMilestone::kElected, FailoverMilestone::kPromoted};
    case FailoverPhase::kPromotedToSwapped:
      return {FailoverMilestone::kPromoted, FailoverMilestone::kSwapped};
    case FailoverPhase::kTotal:
      break;
  }
  return {std::nullopt, FailoverMilestone::kEnded};
}

void observe(PhaseHistogram& histogram, double seconds) {
  std::size_t bucket = 0;
  while (bucket < kFailoverPhaseBounds.size() && seconds > kFailoverPhaseBounds[bucket]) ++bucket;
  ++histogram.buckets[bucket];
  ++histogram.count;
  histogram.sum_seconds += seconds;
}

}  // namespace

std::string_view to_string(FailoverOutcome outcome) {
  switch (outcome) {
    case FailoverOutcome::kInProgress:
      return "in-progress";
    case FailoverOutcome::kSwitched:
      return "switched";
    case FailoverOutcome::kAborted:
      return "aborted";
    case FailoverOutcome::kRecovered:
      return "recovered";
  }
  return "unknown";
}

std::string_view to_string(FailoverPhase phase) {
  switch (phase) {
    case FailoverPhase::kSdownToOdown:
      return "sdown_to_odown";
    case FailoverPhase::kOdownToElected:
      return "odown_to_elected";
    case FailoverPhase::kElectedToPromoted:
      return "elected_to_promoted";
    case FailoverPhase::kPromotedToSwapped:
      return "promoted_to_swapped";
    case FailoverPhase::kTotal:
      return "total";
  }
  return "unknown";
}

FailoverStamp FailoverStamp::now() {
  using namespace std::chrono;
  return {steady_clock::now(),
          duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()};
}

std::int64_t FailoverRecord::ms(FailoverMilestone m) const {
  const auto& t = at[index(m)];
  return t ? t->count() / 1000 : -1;
}

void FailoverRecorder::on_notice(const sentinel::Notice& notice, const FailoverStamp& now,
                                 const ReplicationOffsets& offsets) {
  std::lock_guard lock(mutex_);
  // A follower learns the switch after its engine forgot the old master's group: keep the
  // offsets from before, as they were last known.
  if (!open_ || offsets.master == open_->old_master) {
    // A replica that reports itself master now (promoted by another sentinel, seen before
    // the switch reaches this one) has no slave_repl_offset any more: its last one is
    // the one that counts.
    std::map<std::string, std::int64_t> before;
    if (known_.master == offsets.master) before = std::move(known_.replica_offsets);
    known_ = offsets;
    known_.replica_offsets.merge(before);
  }
  if (notice.group != group_) return;
  if (notice.kind == NoticeKind::kNewEpoch) {
    if (open_) open_->config_epoch = notice.epoch;
    return;
  }
  if (notice.subject && notice.subject->kind == sentinel::InstanceKind::kMaster) {
    on_master_notice(notice.kind, address(notice.subject->addr), now);
  } else {
    on_switch_notice(notice, now);
  }
}

// Notices about the group's master (the master being watched).
void FailoverRecorder::on_master_notice(NoticeKind kind, const std::string& master,
                                        const FailoverStamp& now) {
  // A record left open on a master that is no longer the one notices speak of.
  if (open_ && open_->old_master != master &&
      (kind == NoticeKind::kSdown || kind == NoticeKind::kOdown)) {
    open_->reason = "superseded";
    finish(FailoverOutcome::kAborted, now);
  }
  if (kind == NoticeKind::kSdown) {
    sdown_ = DownSince{master, now};
    if (!open_) open(master, now);
    if (!open_->at[index(FailoverMilestone::kSdown)]) mark(*open_, FailoverMilestone::kSdown, now);
  } else if (kind == NoticeKind::kSdownEnded) {
    sdown_.reset();
    if (open_ && !open_->acted) finish(FailoverOutcome::kRecovered, now);
  } else if (kind == NoticeKind::kOdown) {
    odown_ = DownSince{master, now};
    FailoverRecord& r = open_ ? *open_ : open(master, now);
    if (!r.at[index(FailoverMilestone::kOdown)]) mark(r, FailoverMilestone::kOdown, now);
  } else if (kind == NoticeKind::kOdownEnded) {
    odown_.reset();
  } else if (kind == NoticeKind::kTryFailover) {
    (open_ ? *open_ : open(master, now)).acted = true;
  } else if (kind == NoticeKind::kElectedLeader) {
    FailoverRecord& r = open_ ? *open_ : open(master, now);
    r.acted = true;
    r.leader = true;
    if (!r.at[index(FailoverMilestone::kElected)]) mark(r, FailoverMilestone::kElected, now);
  } else if (const auto reason = sentinel::failover_abort_reason(kind)) {
    FailoverRecord& r = open_ ? *open_ : open(master, now);
    r.reason = std::string(*reason);
    finish(FailoverOutcome::kAborted, now);
  }
}

// The notices that carry the switch: the leader's promotion, a follower learning the new
// configuration from a peer, and +switch-master (both), which ends the record.
void FailoverRecorder::on_switch_notice(const sentinel::Notice& notice, const FailoverStamp& now) {
  const std::string old_master = address(notice.master);
  if (notice.kind == NoticeKind::kPromotedSlave && notice.subject) {
    FailoverRecord& r = open_ ? *open_ : open(old_master, now);
    r.acted = true;
    r.leader = true;
    r.new_master = address(notice.subject->addr);
    mark(r, FailoverMilestone::kPromoted, now);
    compute_offset_lost(r);
  } else if (notice.kind == NoticeKind::kConfigUpdateFrom) {
    FailoverRecord& r = open_ ? *open_ : open(old_master, now);
    r.acted = true;
    if (!r.at[index(FailoverMilestone::kElected)]) mark(r, FailoverMilestone::kElected, now);
  } else if (notice.kind == NoticeKind::kSwitchMaster) {
    FailoverRecord& r = open_ ? *open_ : open(old_master, now);
    r.acted = true;
    r.new_master = address(notice.to);
    if (r.offset_lost < 0) compute_offset_lost(r);
    sdown_.reset();
    odown_.reset();
    finish(FailoverOutcome::kSwitched, now);
  }
}

void FailoverRecorder::on_published(const std::string& master, std::uint64_t config_epoch,
                                    const FailoverStamp& now) {
  std::lock_guard lock(mutex_);
  const bool first = !published_epoch_;
  if (!first && config_epoch <= *published_epoch_) return;
  published_epoch_ = config_epoch;
  if (first) return;
  // The leader's proxy swaps at the promotion, before +switch-master; a follower's right
  // after it, when the record is already finished.
  FailoverRecord* r = open_ ? &*open_ : nullptr;
  const bool finished = r == nullptr && !finished_.empty() &&
                        finished_.front().outcome == FailoverOutcome::kSwitched &&
                        !finished_.front().at[index(FailoverMilestone::kSwapped)];
  if (finished) r = &finished_.front();
  if (r == nullptr) return;
  mark(*r, FailoverMilestone::kSwapped, now);
  r->config_epoch = config_epoch;
  if (r->new_master.empty()) r->new_master = master;
  if (finished) totals_.last = *r;
}

void FailoverRecorder::set_config_epoch(std::uint64_t epoch) {
  std::lock_guard lock(mutex_);
  totals_.config_epoch = epoch;
}

std::vector<FailoverRecord> FailoverRecorder::history() const {
  std::lock_guard lock(mutex_);
  std::vector<FailoverRecord> out;
  if (open_) out.push_back(*open_);
  for (const auto& r : finished_) {
    if (out.size() == kHistorySize) break;
    out.push_back(r);
  }
  return out;
}

FailoverTotals FailoverRecorder::totals() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

// Starts the record at the master's SDOWN when this process saw it (the failover may be
// noticed later, e.g. a retry after an abort), else now.
FailoverRecord& FailoverRecorder::open(const std::string& old_master, const FailoverStamp& now) {
  FailoverRecord r;
  r.id = next_id_++;
  r.old_master = old_master;
  const bool seen_down = sdown_ && sdown_->master == old_master;
  const FailoverStamp& start = seen_down ? sdown_->at : now;
  r.started = start.steady;
  r.started_at_unix_ms = start.unix_ms;
  if (seen_down) mark(r, FailoverMilestone::kSdown, sdown_->at);
  if (odown_ && odown_->master == old_master) mark(r, FailoverMilestone::kOdown, odown_->at);
  open_ = std::move(r);
  return *open_;
}

void FailoverRecorder::mark(FailoverRecord& record, FailoverMilestone m, const FailoverStamp& now) {
  record.at[index(m)] =
      std::max(microseconds(0), duration_cast<microseconds>(now.steady - record.started));
}

void FailoverRecorder::finish(FailoverOutcome outcome, const FailoverStamp& now) {
  FailoverRecord r = std::move(*open_);
  open_.reset();
  r.outcome = outcome;
  mark(r, FailoverMilestone::kEnded, now);
  count(r);
  finished_.push_front(std::move(r));
  if (finished_.size() > kHistorySize) finished_.pop_back();
}

// Phases are observed for switched failovers only: the histogram answers "how long does
// a failover take", which an abandoned attempt does not.
void FailoverRecorder::count(const FailoverRecord& record) {
  totals_.last = record;
  const auto outcome = static_cast<std::size_t>(record.outcome);
  if (outcome >= 1 && outcome <= totals_.outcomes.size()) ++totals_.outcomes[outcome - 1];
  if (record.outcome != FailoverOutcome::kSwitched) return;
  for (std::size_t p = 0; p < kFailoverPhases; ++p) {
    const PhaseEnds ends = ends_of(static_cast<FailoverPhase>(p));
    const auto& to = record.at[index(ends.to)];
    const std::optional<microseconds> from =
        ends.from ? record.at[index(*ends.from)] : std::optional<microseconds>(0);
    if (!from || !to) continue;
    observe(totals_.phases[p], std::max(0.0, (*to - *from).count() / 1e6));
  }
  if (record.offset_lost >= 0) {
    totals_.last_offset_lost = record.offset_lost;
    totals_.offset_lost_bytes += record.offset_lost;
  }
}

// offset lost = the old master's last master_repl_offset minus the promoted replica's last
// slave_repl_offset (never below 0: the two INFOs were not taken at the same moment).
void FailoverRecorder::compute_offset_lost(FailoverRecord& record) const {
  if (known_.master != record.old_master || !known_.master_offset) return;
  const auto it = known_.replica_offsets.find(record.new_master);
  if (it == known_.replica_offsets.end()) return;
  record.offset_lost = std::max<std::int64_t>(0, *known_.master_offset - it->second);
}

}  // namespace sp::proxy

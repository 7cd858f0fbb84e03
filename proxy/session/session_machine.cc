#include "proxy/session/session_machine.h"

#include <algorithm>

namespace sp::proxy {

bool SessionMachine::must_hold(const SessionFacts& f) const {
  if (moving_) return true;
  // Commands for a replaced master wait for the ones in flight, then go to the new one.
  if (f.backend_connected && needs_new_backend(f)) return true;
  if (!f.hold_enabled) return false;
  return !f.backend_connected || f.failover_in_progress;
}

bool SessionMachine::begin_hold(Clock::time_point now) {
  if (holding()) return false;
  hold_since_ = now;
  return true;
}

std::chrono::nanoseconds SessionMachine::end_hold(Clock::time_point now) {
  if (!holding()) return std::chrono::nanoseconds(0);
  const auto held = std::chrono::duration_cast<std::chrono::nanoseconds>(now - hold_since_);
  hold_since_ = Clock::time_point{};
  return held;
}

bool SessionMachine::hold_expired(const SessionFacts& f, Clock::time_point now) const {
  // Holding turned off meanwhile (PROXY CONFIG SET failover-hold-ms 0): held commands fail
  // at once, as they would have without holding.
  return holding() && (!f.hold_enabled || now >= hold_since_ + f.failover_hold);
}

SessionMachine::Swap SessionMachine::consider_swap(const SessionFacts& f, Clock::time_point now) {
  if (f.ending || moving_ || !needs_new_backend(f)) return Swap::kNone;
  if (f.backend_connected && (!f.idle || f.passthrough)) {
    // Commands in flight on a replaced master: their replies are worth a short wait when
    // it still answered the sentinel (a planned failover), for a -READONLY among them
    // proves they did not run and can be sent to the new master.
    if (f.passthrough || !f.hold_enabled || !f.replaced_master_up) {
      return Swap::kCloseUnknownOutcome;
    }
    if (replaced_grace_until_ == Clock::time_point{}) {
      replaced_grace_until_ = now + kReplacedMasterGrace;
      return Swap::kStartReplacedGrace;
    }
    return now < replaced_grace_until_ ? Swap::kAwaitReplacedReplies : Swap::kCloseUnknownOutcome;
  }
  if (!f.backend_connected && !f.hold_enabled) return Swap::kNone;  // the next request tries
  if (f.in_requests) return Swap::kWakeRequests;
  if (now < next_attach_) return Swap::kNone;
  moving_ = true;  // until attach_done; nothing is sent meanwhile
  return Swap::kStartMove;
}

bool SessionMachine::attach_inline(const SessionFacts& f, Clock::time_point now) const {
  return needs_new_backend(f) && f.idle && !moving_ && now >= next_attach_;
}

void SessionMachine::attach_done(bool ok, bool newer_published, bool sentinel_managed,
                                 Clock::time_point now) {
  moving_ = false;
  if (!ok && sentinel_managed && !newer_published) next_attach_ = now + kAttachRetry;
}

SessionMachine::Lost SessionMachine::on_backend_lost(const SessionFacts& f) {
  if (!f.hold_enabled || !f.idle || f.passthrough || f.ending || f.stop_reading) {
    return Lost::kClose;
  }
  next_attach_ = Clock::time_point{};  // a restarted master is back at the same address
  return Lost::kWaitForMaster;
}

std::string_view SessionMachine::retryable_refusal(std::string_view reply, bool head_blocks_on_keys,
                                                   bool loading_retryable) {
  if (reply.starts_with("-READONLY ")) return "-READONLY";
  // Refused before it ran: the master is loading a dataset (a demoted one, its new
  // master's).
  if (reply.starts_with("-LOADING ") && loading_retryable) return "-LOADING";
  // A pop a demoted master ended: it popped nothing.
  if (reply.starts_with("-UNBLOCKED ") && head_blocks_on_keys) return "-UNBLOCKED";
  return {};
}

bool SessionMachine::retry_started(Clock::time_point now) {
  replaced_grace_until_ = Clock::time_point{};
  next_attach_ = Clock::time_point{};
  return begin_hold(now);
}

bool SessionMachine::refuses_write(bool fenced, bool in_multi, const protocol::CommandInfo* info) {
  if (!fenced || in_multi || info == nullptr) return false;
  if (info->flags.write) return true;
  const std::string_view name = info->name;
  return name == "eval" || name == "evalsha" || name == "fcall";
}

SessionMachine::Clock::time_point SessionMachine::next_wake(const SessionFacts& f) const {
  Clock::time_point wake = Clock::time_point::max();
  if (holding())
    wake = std::min(wake, f.hold_enabled ? hold_since_ + f.failover_hold : hold_since_);
  if (needs_new_backend(f) && !moving_ && f.idle) wake = std::min(wake, next_attach_);
  return wake;
}

}  // namespace sp::proxy

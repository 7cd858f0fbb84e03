#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "protocol/command_table.h"
#include "proxy/session/session_state.h"

namespace sp::proxy {

// What a session knows about itself and the published topology when a failover decision
// is due; Session fills it from its sockets, its PendingReplies and the worker's snapshot.
struct SessionFacts {
  bool hold_enabled = false;                   // sentinel-managed and failover-hold-ms > 0
  std::chrono::milliseconds failover_hold{0};  // failover-hold-ms now (PROXY CONFIG SET)
  bool backend_connected = false;              // a live connection to the session's master
  bool master_replaced = false;       // a snapshot newer than the session's names another master
  bool failover_in_progress = false;  // the published snapshot asks sessions to hold
  bool replaced_master_up = false;    // ... and the master it replaced still answered
  bool idle = true;                   // no command awaits a reply
  bool passthrough = false;           // a MONITOR-like stream: nothing can be carried over
  bool ending = false;                // draining, or closing once the output is written
  bool stop_reading = false;          // the client is no longer read (QUIT, error, lost master)
  bool in_requests = false;           // the request loop runs: it moves the session itself
  bool in_multi = false;              // inside MULTI
  bool retry_pending = false;  // commands taken back after -READONLY/-LOADING wait to be sent
};

// The failover decisions of one client session, without I/O: hold its commands, move and
// replay it on a new master, retry writes a demoted master refused, refuse writes under
// fence-on-minority, decide EXEC's fate, and close it when commands in flight have an
// unknown outcome. It takes the session's facts and the time, and answers with what to
// do; Session (session_failover.cc) does it. Its own state is the hold, the move in
// progress, the next attempt to attach and the grace given a replaced master.
// README.md, "Failover as your clients see it".
class SessionMachine {
 public:
  using Clock = std::chrono::steady_clock;

  // How long a session with commands in flight on a replaced master that still answers
  // waits for their next reply, in case it is -READONLY, before it is closed.
  static constexpr auto kReplacedMasterGrace = std::chrono::milliseconds(1000);
  // A session without a master connection tries again at most this often (a new topology
  // makes it try at once).
  static constexpr auto kAttachRetry = std::chrono::milliseconds(250);

  // --- holding
  // The session has no backend connection, or one to a master that was replaced.
  static bool needs_new_backend(const SessionFacts& f) {
    return !f.backend_connected || f.master_replaced;
  }
  // Whether a command for the master must wait now, in the client's input.
  bool must_hold(const SessionFacts& f) const;
  // The session starts holding at `now`; false when it already was.
  bool begin_hold(Clock::time_point now);
  // It stops holding; how long it held, or nullopt-like zero when it was not.
  std::chrono::nanoseconds end_hold(Clock::time_point now);
  bool holding() const { return hold_since_ != Clock::time_point{}; }
  // Held past failover-hold-ms: held commands are answered with the hold error.
  bool hold_expired(const SessionFacts& f, Clock::time_point now) const;

  // --- moving to a new master
  enum class Swap {
    kNone,                  // nothing to do now
    kWakeRequests,          // the request loop moves the session between two commands
    kStartMove,             // connect to the published master and replay (attach)
    kStartReplacedGrace,    // wait for the in-flight replies until replaced_grace_until()
    kAwaitReplacedReplies,  // still within that grace
    kCloseUnknownOutcome,   // commands in flight on the replaced master: close the session
  };
  // At a topology change, a reply, a lost connection or a timer. kStartMove marks the move
  // as begun (until attach_done).
  Swap consider_swap(const SessionFacts& f, Clock::time_point now);
  // The request loop, at a command boundary: attach now (inline) rather than hold.
  bool attach_inline(const SessionFacts& f, Clock::time_point now) const;
  // A move leaves the old connection, and any grace given to it ends with it.
  void attach_started() {
    moving_ = true;
    replaced_grace_until_ = Clock::time_point{};
  }
  // The attach ended; `newer_published`: a newer master was published meanwhile (tried at
  // once), else a failed one is tried again kAttachRetry later. `sentinel_managed`: without
  // a sentinel, each request batch tries again.
  void attach_done(bool ok, bool newer_published, bool sentinel_managed, Clock::time_point now);
  bool moving() const { return moving_; }
  // A new topology: the next attempt is made at once.
  void topology_changed() { next_attach_ = Clock::time_point{}; }
  bool attach_scheduled() const { return next_attach_ != Clock::time_point{}; }
  Clock::time_point replaced_grace_until() const { return replaced_grace_until_; }
  // Replies from a replaced master are awaited within the grace: any reply but a retryable
  // refusal proves its command ran there, too late, unless it changes no data (a read).
  bool awaiting_replaced_master() const { return replaced_grace_until_ != Clock::time_point{}; }
  // The session left its backend connection (abandoned, detached, taken back for retry).
  void left_backend() { replaced_grace_until_ = Clock::time_point{}; }

  // --- a lost connection
  enum class Lost { kWaitForMaster, kClose };
  // The master connection broke: a session with nothing in flight waits for a master (a
  // restarted one, or its successor); any other closes after the replies that arrived,
  // as a direct connection would.
  Lost on_backend_lost(const SessionFacts& f);

  // --- -READONLY / -LOADING / -UNBLOCKED
  // The refusal, named for the log, when `reply` (a whole error frame for the command at
  // the head, `head_blocks_on_keys`: a key-blocking command) proves the command did not
  // run on a demoted master; "" otherwise. `loading_retryable`: -LOADING counts, which it
  // does unless the session already sent its commands again to the same master after a
  // -LOADING (a master restarted from its files, not a demoted one).
  static std::string_view retryable_refusal(std::string_view reply, bool head_blocks_on_keys,
                                            bool loading_retryable);
  // Whether the commands awaiting replies may be taken back and sent to the next master
  // (else the client gets the error).
  static bool may_retry(const SessionFacts& f) {
    return f.hold_enabled && !f.retry_pending && !f.in_multi && !f.ending && !f.stop_reading;
  }
  // They were taken back and the connection left: the session holds from `now` and
  // attaches at once. True when the hold began now.
  bool retry_started(Clock::time_point now);

  // --- fence-on-minority and EXEC
  // While writes are fenced, a command outside a transaction that Redis flags as a write
  // is refused, and so are scripts and functions, which may write (their _RO forms may
  // not); a transaction's writes are judged at EXEC. `info`: null for an unknown command.
  static bool refuses_write(bool fenced, bool in_multi, const protocol::CommandInfo* info);
  // EXEC's fate: the session state's (a transaction lost at a move fails as Redis fails
  // it), and under fencing a transaction that would run is discarded.
  static SessionState::ExecFate exec_fate(SessionState::ExecFate state_fate, bool fenced) {
    if (fenced && state_fate == SessionState::ExecFate::kForward) {
      return SessionState::ExecFate::kAbort;
    }
    return state_fate;
  }

  // When the session must look again without an outside event: the hold's end, or the
  // next attempt to attach.
  Clock::time_point next_wake(const SessionFacts& f) const;

 private:
  Clock::time_point hold_since_{};            // {}: not holding
  Clock::time_point next_attach_{};           // no attempt to attach before this
  Clock::time_point replaced_grace_until_{};  // {}: not waiting on a replaced master
  bool moving_ = false;
};

}  // namespace sp::proxy

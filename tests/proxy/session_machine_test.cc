// The session's failover decisions, driven by hand: facts and time in, decisions out. No
// sockets, no sleeps (README.md, "Failover as your clients see it").

#include "proxy/session/session_machine.h"

#include <gtest/gtest.h>

namespace sp::proxy {

// Decisions by name in failure messages.
void PrintTo(SessionMachine::Swap swap, std::ostream* os) {
  static constexpr const char* kNames[] = {"kNone",
                                           "kWakeRequests",
                                           "kStartMove",
                                           "kStartReplacedGrace",
                                           "kAwaitReplacedReplies",
                                           "kCloseUnknownOutcome"};
  *os << kNames[static_cast<int>(swap)];
}

namespace {

using Swap = SessionMachine::Swap;
using Lost = SessionMachine::Lost;
using Fate = SessionState::ExecFate;
using std::chrono::milliseconds;

constexpr milliseconds kHold{5000};
const SessionMachine::Clock::time_point t0 =
    SessionMachine::Clock::time_point{} + std::chrono::hours(1);

// A sentinel-managed session on the published master, nothing in flight.
SessionFacts attached() {
  SessionFacts f;
  f.hold_enabled = true;
  f.failover_hold = kHold;
  f.backend_connected = true;
  return f;
}

// The sentinel published a new master.
SessionFacts replaced(SessionFacts f) {
  f.master_replaced = true;
  return f;
}

TEST(SessionMachine, HoldsWhileTheMasterIsDownOrBeingReplaced) {
  SessionMachine machine;
  SessionFacts f = attached();
  EXPECT_FALSE(machine.must_hold(f));
  f.failover_in_progress = true;  // the sentinel finds the master down
  EXPECT_TRUE(machine.must_hold(f));
  f.failover_in_progress = false;
  f.backend_connected = false;  // no master connection
  EXPECT_TRUE(machine.must_hold(f));
  // Without failover-hold-ms (or a sentinel), nothing is held: the client gets the error.
  f.hold_enabled = false;
  EXPECT_FALSE(machine.must_hold(f));
  // Commands for a replaced master wait for those in flight, hold or not.
  EXPECT_TRUE(machine.must_hold(replaced(attached())));
  SessionFacts unmanaged = replaced(attached());
  unmanaged.hold_enabled = false;
  EXPECT_TRUE(machine.must_hold(unmanaged));
}

TEST(SessionMachine, AHoldEndsWithTheErrorAfterFailoverHold) {
  SessionMachine machine;
  const SessionFacts f = attached();
  EXPECT_FALSE(machine.hold_expired(f, t0 + kHold));  // not holding
  EXPECT_TRUE(machine.begin_hold(t0));
  EXPECT_FALSE(machine.begin_hold(t0 + milliseconds(10)));  // already holding: counted once
  EXPECT_EQ(machine.next_wake(f), t0 + kHold);
  EXPECT_FALSE(machine.hold_expired(f, t0 + kHold - milliseconds(1)));
  EXPECT_TRUE(machine.hold_expired(f, t0 + kHold));
  EXPECT_EQ(machine.end_hold(t0 + milliseconds(1500)), milliseconds(1500));
  EXPECT_FALSE(machine.holding());
  EXPECT_EQ(machine.end_hold(t0 + kHold), milliseconds(0));  // nothing to end
}

// failover-hold-ms set lower, or to 0, while commands are held (PROXY CONFIG SET): the
// hold ends by the new bound, at once when holding is off.
TEST(SessionMachine, AHoldFollowsFailoverHoldChangedMeanwhile) {
  SessionMachine machine;
  SessionFacts f = attached();
  ASSERT_TRUE(machine.begin_hold(t0));
  f.failover_hold = milliseconds(100);
  EXPECT_EQ(machine.next_wake(f), t0 + milliseconds(100));
  EXPECT_TRUE(machine.hold_expired(f, t0 + milliseconds(100)));
  f.hold_enabled = false;
  f.failover_hold = milliseconds(0);
  EXPECT_EQ(machine.next_wake(f), t0);
  EXPECT_TRUE(machine.hold_expired(f, t0 + milliseconds(1)));
}

TEST(SessionMachine, AnIdleSessionMovesToTheNewMasterAndReplaysItsState) {
  SessionMachine machine;
  const SessionFacts f = replaced(attached());
  EXPECT_EQ(machine.consider_swap(f, t0), Swap::kStartMove);
  EXPECT_TRUE(machine.moving());
  EXPECT_TRUE(machine.must_hold(f));                     // nothing is sent during the move
  EXPECT_EQ(machine.consider_swap(f, t0), Swap::kNone);  // one move at a time
  machine.attach_done(/*ok=*/true, false, true, t0);
  EXPECT_FALSE(machine.moving());
  EXPECT_EQ(machine.consider_swap(attached(), t0), Swap::kNone);  // on the published master
}

TEST(SessionMachine, TheRequestLoopMovesTheSessionItselfBetweenTwoCommands) {
  SessionMachine machine;
  SessionFacts f = replaced(attached());
  f.in_requests = true;
  EXPECT_EQ(machine.consider_swap(f, t0), Swap::kWakeRequests);
  EXPECT_FALSE(machine.moving());
  EXPECT_TRUE(machine.attach_inline(f, t0));
  f.idle = false;
  EXPECT_FALSE(machine.attach_inline(f, t0));  // not at a command boundary
}

TEST(SessionMachine, AFailedAttachIsTriedAgainLaterOrAtOnceForANewerMaster) {
  SessionMachine machine;
  SessionFacts detached = attached();
  detached.backend_connected = false;
  ASSERT_EQ(machine.consider_swap(detached, t0), Swap::kStartMove);
  machine.attach_done(/*ok=*/false, /*newer_published=*/false, true, t0);
  EXPECT_TRUE(machine.attach_scheduled());
  EXPECT_EQ(machine.consider_swap(detached, t0 + milliseconds(100)), Swap::kNone);
  EXPECT_FALSE(machine.attach_inline(detached, t0 + milliseconds(100)));
  EXPECT_EQ(machine.next_wake(detached), t0 + SessionMachine::kAttachRetry);
  EXPECT_EQ(machine.consider_swap(detached, t0 + SessionMachine::kAttachRetry), Swap::kStartMove);
  // A newer master was published while it attached (the worker told the session at once):
  // it is tried at once, not kAttachRetry later.
  machine.topology_changed();
  machine.attach_done(false, /*newer_published=*/true, true, t0 + milliseconds(300));
  EXPECT_FALSE(machine.attach_scheduled());
  EXPECT_EQ(machine.consider_swap(detached, t0 + milliseconds(300)), Swap::kStartMove);
  // Without a sentinel no retry is scheduled: each request batch tries again.
  SessionMachine unmanaged;
  unmanaged.attach_done(false, false, /*sentinel_managed=*/false, t0);
  EXPECT_FALSE(unmanaged.attach_scheduled());
  detached.hold_enabled = false;
  EXPECT_EQ(unmanaged.consider_swap(detached, t0), Swap::kNone);
}

// Commands in flight on a replaced master have an unknown outcome: the session is closed,
// unless the master still answered the sentinel (a planned failover), when their replies
// are awaited for a second in case they are -READONLY.
TEST(SessionMachine, CommandsInFlightOnAReplacedMasterCloseTheSession) {
  SessionFacts busy = replaced(attached());
  busy.idle = false;
  SessionMachine crashed;
  EXPECT_EQ(crashed.consider_swap(busy, t0), Swap::kCloseUnknownOutcome);

  busy.replaced_master_up = true;
  SessionMachine planned;
  EXPECT_EQ(planned.consider_swap(busy, t0), Swap::kStartReplacedGrace);
  EXPECT_EQ(planned.replaced_grace_until(), t0 + SessionMachine::kReplacedMasterGrace);
  EXPECT_TRUE(planned.awaiting_replaced_master());
  EXPECT_EQ(planned.consider_swap(busy, t0 + milliseconds(999)), Swap::kAwaitReplacedReplies);
  EXPECT_EQ(planned.consider_swap(busy, t0 + SessionMachine::kReplacedMasterGrace),
            Swap::kCloseUnknownOutcome);
  // The replies came (the session is idle now): it moves.
  SessionMachine answered;
  ASSERT_EQ(answered.consider_swap(busy, t0), Swap::kStartReplacedGrace);
  answered.left_backend();
  EXPECT_FALSE(answered.awaiting_replaced_master());
  EXPECT_EQ(answered.consider_swap(replaced(attached()), t0 + milliseconds(20)), Swap::kStartMove);

  // Replies that end the grace without a verdict (a hidden ROLE check, a deferred probe)
  // leave the session idle: it moves, and the grace ends with the old connection, so the
  // new master's first reply is not taken for a late one from the replaced master.
  SessionMachine moved;
  ASSERT_EQ(moved.consider_swap(busy, t0), Swap::kStartReplacedGrace);
  ASSERT_EQ(moved.consider_swap(replaced(attached()), t0 + milliseconds(20)), Swap::kStartMove);
  moved.attach_started();
  EXPECT_FALSE(moved.awaiting_replaced_master());

  // A MONITOR-like stream cannot be carried over, nor waited for.
  SessionFacts monitor = replaced(attached());
  monitor.passthrough = true;
  monitor.replaced_master_up = true;
  SessionMachine streaming;
  EXPECT_EQ(streaming.consider_swap(monitor, t0), Swap::kCloseUnknownOutcome);
  // A session closing anyway is left alone.
  SessionFacts ending = busy;
  ending.ending = true;
  EXPECT_EQ(SessionMachine().consider_swap(ending, t0), Swap::kNone);
}

TEST(SessionMachine, ALostConnectionWaitsForAMasterOnlyWithNothingInFlight) {
  SessionMachine machine;
  EXPECT_EQ(machine.on_backend_lost(attached()), Lost::kWaitForMaster);
  EXPECT_FALSE(machine.attach_scheduled());  // a restarted master is tried at once
  SessionFacts f = attached();
  f.idle = false;
  EXPECT_EQ(machine.on_backend_lost(f), Lost::kClose);
  f = attached();
  f.passthrough = true;
  EXPECT_EQ(machine.on_backend_lost(f), Lost::kClose);
  f = attached();
  f.stop_reading = true;  // QUIT sent
  EXPECT_EQ(machine.on_backend_lost(f), Lost::kClose);
  f = attached();
  f.hold_enabled = false;  // as a direct connection would
  EXPECT_EQ(machine.on_backend_lost(f), Lost::kClose);
}

TEST(SessionMachine, OnlyRefusalsThatProveNothingRanAreRetried) {
  const auto refusal = [](std::string_view reply, bool head_blocks_on_keys = false,
                          bool loading_retryable = true) {
    return SessionMachine::retryable_refusal(reply, head_blocks_on_keys, loading_retryable);
  };
  EXPECT_EQ(refusal("-READONLY You can't write against a read only replica.\r\n"), "-READONLY");
  EXPECT_EQ(refusal("-UNBLOCKED force unblock from blocking operation, "
                    "instance state changed (master -> replica?)\r\n",
                    /*head_blocks_on_keys=*/true),
            "-UNBLOCKED");
  // CLIENT UNBLOCK ... ERROR ends a blocking command with -UNBLOCKED too: it is the client's.
  EXPECT_EQ(refusal("-UNBLOCKED client unblocked\r\n"), "");
  EXPECT_EQ(refusal("-ERR wrong number of arguments\r\n", true), "");
  EXPECT_EQ(refusal("-READONLYX\r\n"), "");
  // A demoted master loading its new master's data refuses before running anything; a
  // master that answered it once more after a retry is loading its own files: the client's.
  const std::string_view loading = "-LOADING Redis is loading the dataset in memory\r\n";
  EXPECT_EQ(refusal(loading), "-LOADING");
  EXPECT_EQ(refusal(loading, false, /*loading_retryable=*/false), "");
  EXPECT_EQ(refusal("-LOADINGX\r\n"), "");
  EXPECT_EQ(refusal("-READONLY You can't write against a read only replica.\r\n", false, false),
            "-READONLY");

  EXPECT_TRUE(SessionMachine::may_retry(attached()));
  SessionFacts f = attached();
  f.in_multi = true;  // a transaction's commands cannot be sent again one by one
  EXPECT_FALSE(SessionMachine::may_retry(f));
  f = attached();
  f.retry_pending = true;
  EXPECT_FALSE(SessionMachine::may_retry(f));
  f = attached();
  f.hold_enabled = false;
  EXPECT_FALSE(SessionMachine::may_retry(f));
  f = attached();
  f.ending = true;
  EXPECT_FALSE(SessionMachine::may_retry(f));

  // Taken back: the session holds and attaches at once, its grace over.
  SessionMachine machine;
  SessionFacts busy = replaced(attached());
  busy.idle = false;
  busy.replaced_master_up = true;
  ASSERT_EQ(machine.consider_swap(busy, t0), Swap::kStartReplacedGrace);
  EXPECT_TRUE(machine.retry_started(t0 + milliseconds(5)));
  EXPECT_TRUE(machine.holding());
  EXPECT_FALSE(machine.awaiting_replaced_master());
  SessionFacts detached = attached();
  detached.backend_connected = false;
  detached.retry_pending = true;
  EXPECT_EQ(machine.consider_swap(detached, t0 + milliseconds(5)), Swap::kStartMove);
}

TEST(SessionMachine, FencingRefusesWritesOutsideTransactions) {
  const protocol::CommandInfo* set = protocol::find_command("set");
  const protocol::CommandInfo* get = protocol::find_command("get");
  ASSERT_NE(set, nullptr);
  ASSERT_NE(get, nullptr);
  EXPECT_TRUE(SessionMachine::refuses_write(true, false, set));
  EXPECT_FALSE(SessionMachine::refuses_write(false, false, set));
  EXPECT_FALSE(SessionMachine::refuses_write(true, false, get));
  EXPECT_FALSE(SessionMachine::refuses_write(true, /*in_multi=*/true, set));  // judged at EXEC
  EXPECT_FALSE(SessionMachine::refuses_write(true, false, nullptr));          // Redis refuses it
  // Scripts and functions may write; their read-only forms may not.
  EXPECT_TRUE(SessionMachine::refuses_write(true, false, protocol::find_command("eval")));
  EXPECT_TRUE(SessionMachine::refuses_write(true, false, protocol::find_command("fcall")));
  EXPECT_FALSE(SessionMachine::refuses_write(true, false, protocol::find_command("eval_ro")));
}

TEST(SessionMachine, ExecsFate) {
  // A transaction lost at a move fails as Redis fails it, fenced or not.
  EXPECT_EQ(SessionMachine::exec_fate(Fate::kAbort, false), Fate::kAbort);
  EXPECT_EQ(SessionMachine::exec_fate(Fate::kWatchFailed, true), Fate::kWatchFailed);
  EXPECT_EQ(SessionMachine::exec_fate(Fate::kForward, false), Fate::kForward);
  // Under fencing a transaction that would run is discarded: its writes would reach the master.
  EXPECT_EQ(SessionMachine::exec_fate(Fate::kForward, true), Fate::kAbort);
  // The session state's side: MULTI, then a move, then EXEC.
  SessionState state;
  const std::string_view multi[] = {"MULTI"};
  state.note_forwarded(multi);
  state.on_reply(StateReply::kSuccess);
  state.transaction_lost();
  EXPECT_EQ(SessionMachine::exec_fate(state.exec_fate(), false), Fate::kAbort);
}

}  // namespace
}  // namespace sp::proxy

// SessionState fed as the session feeds it: commands noted when forwarded, outcomes applied
// in the same order, then the replay a new master connection would receive.

#include "proxy/session/session_state.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/request_parser.h"
#include "proxy/session/command_class.h"

namespace sp::proxy {
namespace {

// The replay's commands, decoded back into words ("AUTH u p", "ROLE", ...).
std::vector<std::string> commands_of(const std::string& resp) {
  std::vector<std::string> out;
  protocol::RequestParser parser;
  std::string_view rest = resp;
  while (!rest.empty()) {
    const auto result = parser.parse(rest);
    EXPECT_EQ(result.status, protocol::ParseStatus::kComplete) << rest;
    if (result.status != protocol::ParseStatus::kComplete) break;
    std::string line;
    for (auto arg : parser.args()) line += (line.empty() ? "" : " ") + std::string(arg);
    out.push_back(line);
    rest.remove_prefix(result.consumed);
  }
  return out;
}

// Forwards one command and applies its outcome, as a reply arriving would.
void run(SessionState& state, std::initializer_list<std::string_view> args,
         StateReply reply = StateReply::kSuccess) {
  const std::vector<std::string_view> v(args);
  ASSERT_TRUE(classify_command(v).tracks_state) << v.front();
  state.note_forwarded(v);
  state.on_reply(reply);
}

constexpr StateReply kError = StateReply::kError;

using Words = std::vector<std::string>;

TEST(SessionState, AFreshSessionReplaysOnlyRole) {
  const SessionState state;
  const auto replay = state.replay(2);
  EXPECT_EQ(commands_of(replay.commands), Words{"ROLE"});
  EXPECT_EQ(replay.replies, 1u);
  EXPECT_EQ(replay.role_reply, 0u);
}

TEST(SessionState, ReplayCarriesAuthProtocolDatabaseNameAndSubscriptions) {
  SessionState state;
  run(state, {"AUTH", "app", "secret"});
  run(state, {"SELECT", "3"});
  run(state, {"CLIENT", "SETNAME", "worker-1"});
  run(state, {"SUBSCRIBE", "news", "alerts"});
  run(state, {"PSUBSCRIBE", "log.*"});
  run(state, {"SSUBSCRIBE", "orders"});
  const auto replay = state.replay(3);
  EXPECT_EQ(commands_of(replay.commands),
            (Words{"AUTH app secret", "ROLE", "HELLO 3", "SELECT 3", "CLIENT SETNAME worker-1",
                   "SUBSCRIBE alerts news", "PSUBSCRIBE log.*", "SSUBSCRIBE orders"}));
  // One reply per command, one confirmation per subscribed name.
  EXPECT_EQ(replay.replies, 9u);
  EXPECT_EQ(replay.role_reply, 1u);
}

TEST(SessionState, FailedCommandsLeaveTheStateAsRedisLeavesIt) {
  SessionState state;
  run(state, {"SELECT", "3"});
  run(state, {"SELECT", "99"}, kError);
  run(state, {"AUTH", "wrong"}, kError);
  EXPECT_EQ(state.db(), "3");
  EXPECT_EQ(commands_of(state.replay(2).commands), (Words{"ROLE", "SELECT 3"}));
}

TEST(SessionState, OutcomesApplyInTheOrderCommandsWereForwarded) {
  SessionState state;
  const std::vector<std::string_view> a{"SELECT", "1"};
  const std::vector<std::string_view> b{"SELECT", "2"};
  state.note_forwarded(a);
  state.note_forwarded(b);
  EXPECT_EQ(state.noted(), 2u);
  state.on_reply(StateReply::kSuccess);
  EXPECT_EQ(state.db(), "1");
  state.on_reply(kError);  // SELECT 2 failed
  EXPECT_EQ(state.db(), "1");
  EXPECT_EQ(state.noted(), 0u);
}

TEST(SessionState, HelloCarriesCredentialsAndName) {
  SessionState state;
  run(state, {"HELLO", "3", "AUTH", "default", "pw", "SETNAME", "svc"});
  EXPECT_EQ(state.name(), "svc");
  EXPECT_EQ(commands_of(state.replay(3).commands),
            (Words{"AUTH default pw", "ROLE", "HELLO 3", "CLIENT SETNAME svc"}));
}

TEST(SessionState, UnsubscribeWithoutNamesEndsTheWholeScope) {
  SessionState state;
  run(state, {"SUBSCRIBE", "a", "b"});
  run(state, {"PSUBSCRIBE", "p*"});
  run(state, {"UNSUBSCRIBE", "a"});
  EXPECT_EQ(state.subscriptions(), 2u);
  run(state, {"UNSUBSCRIBE"});
  EXPECT_EQ(commands_of(state.replay(2).commands), (Words{"ROLE", "PSUBSCRIBE p*"}));
}

TEST(SessionState, ResetForgetsEverything) {
  SessionState state;
  run(state, {"AUTH", "pw"});
  run(state, {"SELECT", "5"});
  run(state, {"SUBSCRIBE", "a"});
  run(state, {"MULTI"});
  run(state, {"RESET"});
  EXPECT_FALSE(state.in_multi());
  EXPECT_EQ(commands_of(state.replay(2).commands), Words{"ROLE"});
}

// A pipelining client sends what follows RESET before RESET's reply: those commands
// still count once answered.
TEST(SessionState, CommandsSentBehindResetTakeEffectAfterIt) {
  SessionState state;
  for (const std::vector<std::string_view>& args : {std::vector<std::string_view>{"SELECT", "1"},
                                                    {"RESET"},
                                                    {"SELECT", "2"},
                                                    {"AUTH", "app", "pw"}}) {
    state.note_forwarded(args);
  }
  for (int i = 0; i < 4; ++i) state.on_reply(StateReply::kSuccess);
  EXPECT_EQ(state.db(), "2");
  EXPECT_TRUE(state.authenticated());
  EXPECT_EQ(state.noted(), 0u);
}

TEST(SessionState, AnOpenTransactionIsReopenedAndItsExecFails) {
  SessionState state;
  run(state, {"MULTI"});
  EXPECT_EQ(state.exec_fate(), SessionState::ExecFate::kForward);
  state.transaction_lost();
  EXPECT_EQ(commands_of(state.replay(2).commands), (Words{"ROLE", "MULTI"}));
  EXPECT_EQ(state.exec_fate(), SessionState::ExecFate::kAbort);
  run(state, {"EXEC"}, kError);  // answered EXECABORT: the transaction is over
  EXPECT_FALSE(state.in_multi());
  EXPECT_EQ(state.exec_fate(), SessionState::ExecFate::kForward);
}

TEST(SessionState, KeysWatchedBeforeTheMoveFailTheNextExec) {
  SessionState state;
  run(state, {"WATCH", "k"});
  state.transaction_lost();
  EXPECT_EQ(commands_of(state.replay(2).commands), Words{"ROLE"});  // nothing to re-watch
  run(state, {"MULTI"});
  EXPECT_EQ(state.exec_fate(), SessionState::ExecFate::kWatchFailed);
  run(state, {"EXEC"});
  EXPECT_EQ(state.exec_fate(), SessionState::ExecFate::kForward);
  run(state, {"WATCH", "k"});
  state.transaction_lost();
  run(state, {"UNWATCH"});
  EXPECT_EQ(state.exec_fate(), SessionState::ExecFate::kForward);
}

// Redis answers +QUEUED to a SELECT inside MULTI and switches the database only when EXEC
// runs it: a move between the two must not replay a database the client never reached.
TEST(SessionState, ACommandQueuedInATransactionTakesEffectOnlyWhenExecRunsIt) {
  SessionState state;
  run(state, {"MULTI"});
  run(state, {"SELECT", "2"});  // +QUEUED
  run(state, {"CLIENT", "SETNAME", "queued"});
  EXPECT_EQ(state.db(), "0");
  EXPECT_EQ(commands_of(state.replay(2).commands), (Words{"ROLE", "MULTI"}));
  run(state, {"EXEC"});  // an array: it ran
  EXPECT_EQ(state.db(), "2");
  EXPECT_EQ(state.name(), "queued");

  for (const auto& end : {std::pair<std::string_view, StateReply>{"DISCARD", StateReply::kSuccess},
                          {"EXEC", StateReply::kNothingRan},  // a watched key changed
                          {"EXEC", kError}}) {                // EXECABORT
    run(state, {"MULTI"});
    run(state, {"SELECT", "5"});
    state.note_forwarded(std::vector<std::string_view>{end.first});
    state.on_reply(end.second);
    EXPECT_FALSE(state.in_multi());
    EXPECT_EQ(state.db(), "2") << end.first;
    EXPECT_EQ(commands_of(state.replay(2).commands),
              (Words{"ROLE", "SELECT 2", "CLIENT SETNAME queued"}));
  }
}

TEST(SessionState, ATransactionLostAtAMoveAppliesNothingItQueued) {
  SessionState state;
  run(state, {"MULTI"});
  run(state, {"SELECT", "7"});
  state.transaction_lost();
  run(state, {"MULTI"});  // the replay's MULTI on the new master
  run(state, {"SELECT", "8"});
  run(state, {"EXEC"}, kError);  // the proxy answers EXECABORT
  EXPECT_EQ(state.db(), "0");
}

TEST(SessionState, ResetInsideATransactionRunsAtOnce) {
  SessionState state;
  run(state, {"SELECT", "3"});
  run(state, {"MULTI"});
  run(state, {"SELECT", "4"});
  run(state, {"RESET"});
  EXPECT_FALSE(state.in_multi());
  EXPECT_EQ(state.db(), "0");
  run(state, {"SELECT", "6"});
  EXPECT_EQ(state.db(), "6");
}

TEST(SessionState, NoTransactionNothingToLose) {
  SessionState state;
  state.transaction_lost();
  EXPECT_EQ(state.exec_fate(), SessionState::ExecFate::kForward);
}

}  // namespace
}  // namespace sp::proxy

#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/small_fifo.h"

namespace sp::proxy {

// How a command that changes the session's state was answered. kNothingRan is EXEC's null
// reply (a watched key changed): the transaction's queued commands did not run.
enum class StateReply : std::uint8_t { kSuccess, kError, kNothingRan };

// What a client has set on its own backend connection that a new connection must be told
// again when the session moves to another master: who it authenticated as, its database and
// name, its Pub/Sub subscriptions, and whether a transaction (MULTI, WATCH) is open.
//
// A command that changes it is noted when it is forwarded and takes effect only when its
// reply is a success, so that a failed `SELECT 99` leaves the database where Redis left it.
// Inside a transaction a command's reply is only +QUEUED: it takes effect when EXEC answers
// with an array (it ran), and never when EXEC fails or answers null, or after DISCARD.
// Sans-I/O: the session feeds commands and reply outcomes in, in the same FIFO order.
class SessionState {
 public:
  // A command that changes the session's state was forwarded (CommandClass::tracks_state:
  // AUTH, HELLO, SELECT, CLIENT SETNAME, (P|S)(UN)SUBSCRIBE, MULTI, EXEC, DISCARD, WATCH,
  // UNWATCH and RESET).
  void note_forwarded(std::span<const std::string_view> args);
  // The reply to the oldest noted command arrived: it takes effect on kSuccess (at EXEC
  // when it was queued in a transaction).
  void on_reply(StateReply reply);

  // The commands that give a fresh connection this state, encoded as RESP, pipelined:
  // AUTH, then ROLE (so that the new master is verified before the client's state lands
  // on it), HELLO 3 when `resp_version` is 3, SELECT, CLIENT SETNAME, the subscriptions,
  // and MULTI when a transaction is open.
  struct Replay {
    std::string commands;
    std::size_t replies = 0;     // reply frames expected; a subscription confirms each name
    std::size_t role_reply = 0;  // the position of ROLE's reply among them
  };
  Replay replay(int resp_version) const;

  // The session moved to a new connection: an open transaction cannot run any more (its
  // queued commands and watched keys were on the old master).
  void transaction_lost();

  // What EXEC does now: go on, or fail as Redis fails a transaction that cannot run —
  // EXECABORT when commands queued before the move were lost, a nil reply when keys
  // watched before the move can no longer be trusted.
  // The proxy refused a command itself (fence-on-minority), so it never reached the
  // backend's queue: inside a transaction (open, or MULTI still unanswered), EXEC must
  // then fail as Redis fails a transaction with a refused command.
  void command_refused();

  enum class ExecFate { kForward, kAbort, kWatchFailed };
  ExecFate exec_fate() const;

  // An AUTH (or HELLO ... AUTH) succeeded on this session and nothing (RESET) undid it.
  bool authenticated() const { return !auth_.empty(); }
  // The user it authenticated as: AUTH with a password alone is the default user's.
  std::string_view user() const { return auth_.size() >= 2 ? auth_[0] : "default"; }
  // An AUTH, HELLO or RESET awaits its reply: who the session is may be about to change.
  bool identity_pending() const;

  bool in_multi() const { return multi_; }
  // A MULTI awaits its reply: what follows it is queued.
  bool multi_pending() const;
  bool watching() const { return watching_; }
  std::size_t noted() const { return noted_.size(); }
  const std::string& db() const { return db_; }
  const std::string& name() const { return name_; }
  std::size_t subscriptions() const { return channels_.size() + patterns_.size() + shards_.size(); }

 private:
  void apply(const std::vector<std::string>& args);

  SmallFifo<std::vector<std::string>> noted_;     // lower-cased name first, then the arguments
  std::vector<std::vector<std::string>> queued_;  // answered +QUEUED, waiting for EXEC
  std::vector<std::string> auth_;                 // AUTH's arguments: [user] password
  std::string db_ = "0";
  std::string name_;
  std::set<std::string> channels_;
  std::set<std::string> patterns_;
  std::set<std::string> shards_;
  bool multi_ = false;
  bool watching_ = false;
  bool multi_lost_ = false;
  bool watch_lost_ = false;
};

}  // namespace sp::proxy

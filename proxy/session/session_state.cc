#include "proxy/session/session_state.h"

#include <algorithm>

#include "protocol/command_table.h"
#include "protocol/writer.h"

namespace sp::proxy {
namespace {

using protocol::iequals;

void write_command(std::string& out, const std::vector<std::string_view>& args) {
  protocol::RespWriter(out).command(std::span<const std::string_view>(args));
}

// SUBSCRIBE a b c: one command, one confirmation per name.
void write_subscribe(std::string_view command, const std::set<std::string>& names,
                     SessionState::Replay& replay) {
  if (names.empty()) return;
  std::vector<std::string_view> args{command};
  for (const auto& n : names) args.push_back(n);
  write_command(replay.commands, args);
  replay.replies += names.size();
}

}  // namespace

void SessionState::note_forwarded(std::span<const std::string_view> args) {
  std::vector<std::string> copy;
  copy.reserve(args.size());
  copy.push_back(protocol::to_lower(args[0]));
  for (std::size_t i = 1; i < args.size(); ++i) copy.emplace_back(args[i]);
  noted_.push_back(std::move(copy));
}

bool SessionState::identity_pending() const {
  return std::any_of(noted_.begin(), noted_.end(), [](const auto& args) {
    return args.front() == "auth" || args.front() == "hello" || args.front() == "reset";
  });
}

bool SessionState::multi_pending() const {
  return std::any_of(noted_.begin(), noted_.end(),
                     [](const auto& args) { return args.front() == "multi"; });
}

void SessionState::on_reply(StateReply reply) {
  if (noted_.empty()) return;
  std::vector<std::string> args = std::move(noted_.front());
  noted_.pop_front();
  const std::string& name = args[0];
  // EXEC and DISCARD end a transaction whatever they answer (EXECABORT included); what it
  // queued takes effect only when EXEC ran it. (A queued command that failed inside EXEC's
  // array, a SELECT of a database that does not exist, is still applied: the array's
  // elements are not looked at.)
  if (name == "exec" || name == "discard") {
    std::vector<std::vector<std::string>> queued = std::move(queued_);
    queued_.clear();
    multi_ = watching_ = multi_lost_ = watch_lost_ = false;
    if (name == "exec" && reply == StateReply::kSuccess) {
      for (const auto& command : queued) apply(command);
    }
    return;
  }
  if (reply != StateReply::kSuccess) return;
  // RESET runs at once even inside a transaction, and ends it.
  if (multi_ && name != "reset") {
    queued_.push_back(std::move(args));
    return;
  }
  apply(args);
}

void SessionState::apply(const std::vector<std::string>& args) {
  const std::string& name = args[0];
  if (name == "auth") {
    auth_.assign(args.begin() + 1, args.end());
  } else if (name == "hello") {
    for (std::size_t i = 2; i < args.size(); ++i) {
      if (iequals(args[i], "auth") && i + 2 < args.size()) {
        auth_ = {args[i + 1], args[i + 2]};
        i += 2;
      } else if (iequals(args[i], "setname") && i + 1 < args.size()) {
        name_ = args[++i];
      }
    }
  } else if (name == "select" && args.size() == 2) {
    db_ = args[1];
  } else if (name == "client" && args.size() == 3) {
    name_ = args[2];
  } else if (name == "subscribe" || name == "psubscribe" || name == "ssubscribe") {
    auto& set = name == "subscribe" ? channels_ : name == "psubscribe" ? patterns_ : shards_;
    set.insert(args.begin() + 1, args.end());
  } else if (name == "unsubscribe" || name == "punsubscribe" || name == "sunsubscribe") {
    auto& set = name == "unsubscribe" ? channels_ : name == "punsubscribe" ? patterns_ : shards_;
    if (args.size() == 1) set.clear();
    for (std::size_t i = 1; i < args.size(); ++i) set.erase(args[i]);
  } else if (name == "multi") {
    multi_ = true;
  } else if (name == "watch") {
    watching_ = true;
  } else if (name == "unwatch") {
    watching_ = watch_lost_ = false;
  } else if (name == "reset") {
    // RESET leaves the connection as a new one: default user, db 0, no name, nothing open.
    // The commands forwarded after it still await their replies and take effect then.
    SmallFifo<std::vector<std::string>> later = std::move(noted_);
    *this = SessionState();
    noted_ = std::move(later);
  }
}

SessionState::Replay SessionState::replay(int resp_version) const {
  Replay replay;
  if (!auth_.empty()) {
    std::vector<std::string_view> args{"AUTH"};
    args.insert(args.end(), auth_.begin(), auth_.end());
    write_command(replay.commands, args);
    ++replay.replies;
  }
  write_command(replay.commands, {"ROLE"});
  replay.role_reply = replay.replies++;
  if (resp_version == 3) {
    write_command(replay.commands, {"HELLO", "3"});
    ++replay.replies;
  }
  if (db_ != "0") {
    write_command(replay.commands, {"SELECT", db_});
    ++replay.replies;
  }
  if (!name_.empty()) {
    write_command(replay.commands, {"CLIENT", "SETNAME", name_});
    ++replay.replies;
  }
  write_subscribe("SUBSCRIBE", channels_, replay);
  write_subscribe("PSUBSCRIBE", patterns_, replay);
  write_subscribe("SSUBSCRIBE", shards_, replay);
  if (multi_) {
    write_command(replay.commands, {"MULTI"});
    ++replay.replies;
  }
  return replay;
}

void SessionState::transaction_lost() {
  queued_.clear();  // whatever happens at EXEC, they will not run
  if (multi_) multi_lost_ = true;
  if (watching_) watch_lost_ = true;
}

void SessionState::command_refused() {
  if (multi_ || multi_pending()) multi_lost_ = true;
}

SessionState::ExecFate SessionState::exec_fate() const {
  if (multi_lost_) return ExecFate::kAbort;
  if (watch_lost_) return ExecFate::kWatchFailed;
  return ExecFate::kForward;
}

}  // namespace sp::proxy

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proxy/session/pending_replies.h"

namespace sp::proxy {

// Durability mode (write-durability replica, README.md "Durability mode"): the proxy sends
// a WAIT behind each run of writes, and the replies to those writes (with everything the
// client is sent after them, to keep the order) wait here until the WAIT says how many
// replicas have them. Confirmed, they go to the client as the master sent them; not
// confirmed, each successful write reply among them is replaced by a refusal, so that
// the client never takes for acknowledged a write that a failover could lose.
//
// Frames arrive in the order the commands were sent, so when a WAIT's reply arrives,
// everything held belongs to the writes before it: each reply releases all that is held.
// Sans-I/O: the session appends to sink() and reports what it sees.
class UnconfirmedReplies {
 public:
  // A WAIT was queued behind writes, before any byte of its batch was sent.
  void on_wait_sent() { ++waits_; }
  bool holding() const { return waits_ > 0; }
  // Where the client's output goes now: held while a WAIT is pending, else `out`.
  std::string& sink(std::string& out) { return holding() ? held_ : out; }
  std::size_t held_bytes() const { return held_.size(); }

  // The reply to a write, held_[begin, end of held_): replaced if not confirmed.
  void note_write_reply(std::size_t begin);
  // Commands completed while holding: counted once their replies go out.
  void hold_completed(std::vector<CompletedCommand>& completed);

  // The WAIT answered. Confirmed: what is held goes to `out` as it is. Otherwise each
  // write reply held is replaced by `refusal` (a RESP error). `completed` gets the held
  // completions. Returns the number of writes refused.
  std::size_t on_wait_reply(bool confirmed, std::string_view refusal, std::string& out,
                            std::vector<CompletedCommand>& completed);
  // The WAITs pending were taken back with the commands around them (a -READONLY retry):
  // the writes held ran on a master that is no longer one, so they are refused.
  std::size_t refuse_all(std::string_view refusal, std::string& out,
                         std::vector<CompletedCommand>& completed);

  // How many replicas a WAIT reply says have the writes (-1: an error, or not an integer).
  static std::int64_t replicas_in(std::string_view frame);

 private:
  std::size_t release(bool confirmed, std::string_view refusal, std::string& out,
                      std::vector<CompletedCommand>& completed);

  std::string held_;
  std::vector<std::pair<std::size_t, std::size_t>> write_replies_;  // [begin, end) in held_
  std::vector<CompletedCommand> completed_;
  std::uint32_t waits_ = 0;
};

}  // namespace sp::proxy

#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "common/tls/stream.h"
#include "protocol/reply_parser.h"
#include "proxy/config/settings_registry.h"
#include "proxy/session/io_buffer.h"

namespace sp::tls {
class TlsStore;
}

namespace sp::proxy {

// What a session sends over a SharedLink is answered through this: its replies in order,
// or the link's loss. `ticket` is the session's mark for the attachment its commands left
// on, so that what arrives for an attachment it has since left is dropped.
class SharedLinkUser {
 public:
  // Part of the replies the user awaits: whole frames, or the first part of a long one.
  virtual void on_link_replies(std::string_view bytes, std::uint64_t ticket) = 0;
  virtual void on_link_lost(std::string_view why, std::uint64_t ticket) = 0;
  // Everything one read of the link brought has been handed over: a user that got some
  // writes it to its client now, so that the replies of one read leave together.
  virtual void on_link_read_done() = 0;
  // Whether the user still wants the replies to what it sent with `ticket` (it left that
  // attachment: moved, abandoned a hung master, closed).
  virtual bool awaits_link(std::uint64_t ticket) const = 0;

 protected:
  ~SharedLinkUser() = default;
};

// One connection to the master that the stateless commands of a worker's pooled sessions
// share (backend-pool-size; README.md, "Pooled mode"). Sessions append their request
// batches; the link writes what gathered once the handlers ready now have run, so the
// commands of many clients reach Redis in one write and are read there in one pass.
// Replies are framed and handed, in order, to the session whose commands they answer.
// Reading never pauses for one slow client: its replies wait in its own output, and that
// client is not read meanwhile.
class SharedLink : public std::enable_shared_from_this<SharedLink> {
 public:
  // Requests waiting to be written past which senders wait (backpressure from Redis).
  static constexpr std::size_t kOutputHighWater = 1024 * 1024;

  // `tls`: the process's TLS contexts (links use TLS when they connect), or nullptr.
  SharedLink(asio::any_io_executor executor, WorkerStats& stats, ConfigPtr settings,
             tls::TlsStore* tls);
  ~SharedLink();
  SharedLink(const SharedLink&) = delete;
  SharedLink& operator=(const SharedLink&) = delete;

  // Connects and, when a sentinel names the master, checks ROLE by a session's rule
  // (role_reply.h; a master that requires a password answers -NOAUTH: the link stays
  // unchecked, which is safe, since nothing runs there without one and AUTH pins). Empty on
  // success, or why it failed. Callers that find the link opening wait with wait_open().
  asio::awaitable<std::string> open(const asio::ip::tcp::endpoint& endpoint);
  asio::awaitable<void> wait_open();
  bool opening() const { return opening_; }
  const std::string& failure() const { return failure_; }

  // Open, checked, not retired, and not refusing writes as a demoted master does.
  bool usable() const { return open_ && !retired_ && !demoted_; }
  // Takes no new users; closes once the replies it awaits are in, or no user awaits them
  // any more (the sessions of a hung master left it): check_retired() again later.
  void retire();
  void check_retired();
  bool closed() const { return closed_; }
  // A session's write was refused with -READONLY (or a pop ended with -UNBLOCKED): its
  // master is a replica now, and the pool opens no more sessions onto it.
  void mark_demoted() { demoted_ = true; }
  bool demoted() const { return demoted_; }
  // Closes now: every user still awaiting replies is told.
  void close(std::string_view why);

  // Queues `requests`, which `replies` replies answer, for `user`. False when the link is
  // closed (nothing was queued).
  // `confirmation` (write-durability): a WAIT (these bytes) must follow the requests, its
  // reply one more for `user`. The link sends one WAIT for all the users that ask in one
  // pass of the event loop, behind all of their requests, and hands each of them its
  // reply: a WAIT behind each user's writes would hold the shared connection for one
  // replica round trip per user.
  bool send(std::span<const asio::const_buffer> requests, std::uint32_t replies,
            std::shared_ptr<SharedLinkUser> user, std::uint64_t ticket,
            std::string_view confirmation = {});
  bool congested() const { return out_.size() + writing_.size() > kOutputHighWater; }
  asio::awaitable<void> wait_uncongested();

 private:
  struct Awaiting {
    std::shared_ptr<SharedLinkUser> user;
    std::uint64_t ticket = 0;
    std::uint32_t replies = 0;
    // A shared WAIT: its one reply goes to every user of `confirmed` (user is null).
    std::vector<std::pair<std::shared_ptr<SharedLinkUser>, std::uint64_t>> confirmed;
  };

  static asio::awaitable<void> read_loop(std::shared_ptr<SharedLink> self);
  static asio::awaitable<void> write_rest(std::shared_ptr<SharedLink> self);
  // Hands the complete replies in in_ to their users; false on a reply no one asked for
  // or a malformed one.
  bool deliver();
  // Appends the WAIT that the users asking since the last one share (before out_ leaves).
  void close_confirmation();
  void flush();
  bool awaited() const;

  Stream stream_;
  tls::TlsStore* tls_;
  WorkerStats& stats_;
  const ConfigPtr settings_;  // the worker's when the link was made
  IoBuffer in_;
  protocol::ReplyParser parser_;
  std::deque<Awaiting> awaiting_;
  std::vector<std::shared_ptr<SharedLinkUser>> served_;  // users handed replies by this read
  std::string out_;                                      // requests not yet handed to a write
  Awaiting confirmation_;                                // users for the next shared WAIT
  std::string confirmation_command_;
  std::string writing_;  // the write in progress (partial writes only)
  asio::steady_timer opened_signal_;
  asio::steady_timer drained_signal_;
  std::string failure_;
  bool opening_ = false;
  bool open_ = false;
  bool retired_ = false;
  bool demoted_ = false;
  bool flush_posted_ = false;
  bool write_pending_ = false;
  bool closed_ = false;
};

}  // namespace sp::proxy

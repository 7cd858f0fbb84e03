#include "proxy/links/shared_link.h"

#include <algorithm>

#include <utility>

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>

#include "common/asio_util.h"
#include "common/tcp_keepalive.h"
#include "proxy/config/config.h"
#include "proxy/links/backend_connect.h"
#include "proxy/links/role_reply.h"

namespace sp::proxy {
namespace {

using protocol::ParseStatus;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kRoleCommand = "*1\r\n$4\r\nROLE\r\n";

// A reply still being received is handed on in parts once this much of it is in, so that
// the link holds little of a long value.
constexpr std::size_t kStreamAbove = 16 * 1024;

}  // namespace

SharedLink::SharedLink(asio::any_io_executor executor, WorkerStats& stats, ConfigPtr settings,
                       tls::TlsStore* tls)
    : stream_(executor),
      tls_(tls),
      stats_(stats),
      settings_(std::move(settings)),
      in_(stats.buffer_bytes),
      opened_signal_(executor, Clock::time_point::max()),
      drained_signal_(executor, Clock::time_point::max()) {}

SharedLink::~SharedLink() = default;

asio::awaitable<std::string> SharedLink::open(const asio::ip::tcp::endpoint& endpoint) {
  opening_ = true;
  std::error_code ec =
      co_await connect_with_timeout(stream_, endpoint, settings_->connect_timeout, tls_);
  if (!ec && settings_->sentinel_managed) {
    // ROLE, as a session's attach checks it (session_failover.cc, replay_state).
    co_await stream_.write_all(asio::buffer(kRoleCommand));
    const auto deadline = Clock::now() + settings_->connect_timeout;
    while (!ec && !closed_) {
      const auto room = in_.prepare();
      const auto [read_ec, n] = co_await read_some_until(stream_, room, deadline);
      ec = read_ec;
      if (!ec && n == 0) ec = asio::error::eof;
      if (ec) break;
      in_.commit(n);
      const auto result = parser_.parse(in_.data());
      if (result.status == ParseStatus::kNeedMore) continue;
      const std::string_view reply = in_.data().substr(0, result.consumed);
      if (result.status == ParseStatus::kError || denies_master(reply)) {
        failure_ = "it does not answer ROLE as a master";
      }
      in_.consume(result.status == ParseStatus::kError ? in_.size() : result.consumed);
      break;
    }
  }
  if (ec) failure_ = ec == asio::error::timed_out ? "Connection timed out" : ec.message();
  if (closed_ && failure_.empty()) failure_ = "a newer master was published";
  opening_ = false;
  opened_signal_.cancel();
  if (!failure_.empty()) {
    std::error_code ignored;
    stream_.close(ignored);
    closed_ = true;
    co_return failure_;
  }
  set_tcp_keepalive(stream_.socket().native_handle(), settings_->tcp_keepalive);
  stream_.socket().non_blocking(true, ec);  // for write_now
  open_ = true;
  stats_.backend_connects.add();
  asio::co_spawn(stream_.get_executor(), read_loop(shared_from_this()),
                 LogStrayException{"shared link reader"});
  check_retired();  // retired while it was opening: no one is waiting for it
  co_return std::string();
}

asio::awaitable<void> SharedLink::wait_open() {
  while (opening_) co_await opened_signal_.async_wait(use_nothrow);
}

void SharedLink::retire() {
  retired_ = true;
  check_retired();
}

void SharedLink::check_retired() {
  if (retired_ && !opening_ && !awaited()) close("retired");
}

bool SharedLink::awaited() const {
  for (const Awaiting& a : awaiting_) {
    if (a.user && a.user->awaits_link(a.ticket)) return true;
    for (const auto& [user, ticket] : a.confirmed) {
      if (user->awaits_link(ticket)) return true;
    }
  }
  return false;
}

void SharedLink::close(std::string_view why) {
  if (closed_) return;
  closed_ = true;
  open_ = false;
  std::error_code ec;
  stream_.close(ec);
  drained_signal_.cancel();
  // Each user is told once per attachment, in the order they sent (a user told is told
  // nothing more: it left the attachment).
  std::deque<Awaiting> lost = std::exchange(awaiting_, {});
  lost.push_back(std::exchange(confirmation_, {}));
  std::vector<std::pair<const SharedLinkUser*, std::uint64_t>> told;
  const auto tell = [&](const std::shared_ptr<SharedLinkUser>& user, std::uint64_t ticket) {
    for (const auto& t : told) {
      if (t.first == user.get() && t.second == ticket) return;
    }
    told.emplace_back(user.get(), ticket);
    user->on_link_lost(why, ticket);
  };
  for (const Awaiting& a : lost) {
    if (a.user) tell(a.user, a.ticket);
    for (const auto& [user, ticket] : a.confirmed) tell(user, ticket);
  }
}

bool SharedLink::send(std::span<const asio::const_buffer> requests, std::uint32_t replies,
                      std::shared_ptr<SharedLinkUser> user, std::uint64_t ticket,
                      std::string_view confirmation) {
  if (!open_) return false;
  // A user already waiting for the next WAIT sends more: what it sent before is confirmed
  // first, since its replies come in the order it sent.
  for (const auto& waiting : confirmation_.confirmed) {
    if (waiting.first == user) {
      close_confirmation();
      break;
    }
  }
  for (const asio::const_buffer& b : requests) {
    out_.append(static_cast<const char*>(b.data()), b.size());
  }
  if (replies > 0) {
    if (!awaiting_.empty() && awaiting_.back().user == user && awaiting_.back().ticket == ticket) {
      awaiting_.back().replies += replies;
    } else {
      awaiting_.push_back({user, ticket, replies, {}});
    }
  }
  if (!confirmation.empty()) {
    confirmation_.confirmed.emplace_back(std::move(user), ticket);
    confirmation_command_.assign(confirmation);
  }
  if (!flush_posted_ && !write_pending_) {
    // After the handlers ready now: the batches of every client read in this pass of the
    // event loop leave in one write.
    flush_posted_ = true;
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->flush(); });
  }
  return true;
}

void SharedLink::close_confirmation() {
  if (confirmation_.confirmed.empty()) return;
  out_.append(confirmation_command_);
  confirmation_.replies = 1;
  awaiting_.push_back(std::exchange(confirmation_, {}));
}

void SharedLink::flush() {
  flush_posted_ = false;
  if (!open_ || write_pending_) return;
  close_confirmation();
  if (out_.empty()) return;
  std::error_code ec;
  const std::size_t written = stream_.write_now(asio::buffer(out_), ec);
  if (ec) {
    close(ec.message());
    return;
  }
  stats_.backend_bytes_out.add(static_cast<std::int64_t>(written));
  if (written == out_.size()) {
    if (out_.capacity() > IoBuffer::kShrinkAbove) {
      std::string().swap(out_);
    } else {
      out_.clear();
    }
    drained_signal_.cancel();
    return;
  }
  writing_.assign(out_, written);
  out_.clear();
  write_pending_ = true;
  asio::co_spawn(stream_.get_executor(), write_rest(shared_from_this()),
                 LogStrayException{"shared link writer"});
}

asio::awaitable<void> SharedLink::write_rest(std::shared_ptr<SharedLink> self) {
  // Redis reads slower than clients send: what gathers meanwhile follows in order.
  while (self->open_ && !self->writing_.empty()) {
    auto [ec, n] = co_await self->stream_.write_all(asio::buffer(self->writing_));
    if (ec) {
      self->write_pending_ = false;
      self->close(ec.message());
      co_return;
    }
    self->stats_.backend_bytes_out.add(static_cast<std::int64_t>(n));
    self->writing_.clear();
    self->close_confirmation();
    std::swap(self->writing_, self->out_);
  }
  self->write_pending_ = false;
  std::string().swap(self->writing_);
  self->drained_signal_.cancel();
}

asio::awaitable<void> SharedLink::wait_uncongested() {
  while (open_ && congested()) co_await drained_signal_.async_wait(use_nothrow);
}

asio::awaitable<void> SharedLink::read_loop(std::shared_ptr<SharedLink> self) {
  // Replies that came in with ROLE's are not expected: nothing was sent behind it.
  while (self->open_) {
    auto room = self->in_.prepare();
    auto [ec, n] = co_await self->stream_.read_some(asio::buffer(room.data(), room.size()));
    if (!self->open_) co_return;
    if (ec || n == 0) {
      self->close(ec ? ec.message() : std::string("closed by the master"));
      co_return;
    }
    self->in_.commit(n);
    self->stats_.backend_bytes_in.add(static_cast<std::int64_t>(n));
    const bool delivered = self->deliver();
    for (const auto& user : self->served_) user->on_link_read_done();
    self->served_.clear();
    if (!delivered) {
      spdlog::error("shared connection to the master: {}; closing it",
                    self->awaiting_.empty() ? "a reply no command asked for"
                                            : protocol::to_string(self->parser_.error()));
      self->close("malformed reply from the master");
      co_return;
    }
    self->check_retired();
  }
}

bool SharedLink::deliver() {
  const std::string_view data = in_.data();
  std::size_t pos = 0;
  bool more = true;
  while (more && pos < data.size() && open_) {
    if (awaiting_.empty()) return false;
    // std::deque keeps references valid while a user's callback sends more (push_back).
    Awaiting& head = awaiting_.front();
    const std::size_t run_start = pos;
    while (head.replies > 0 && pos < data.size()) {
      const auto result = parser_.parse(data.substr(pos));
      if (result.status == ParseStatus::kError) return false;
      if (result.status == ParseStatus::kNeedMore) {
        const std::size_t framed = parser_.framed();
        if (framed >= kStreamAbove) {
          parser_.drop_prefix(framed);
          pos += framed;
        }
        more = false;
        break;
      }
      if (parser_.is_push()) return false;  // RESP3 pins its client: none comes here
      pos += result.consumed;
      --head.replies;
    }
    if (!head.confirmed.empty()) {
      if (head.replies > 0) break;  // the WAIT's reply is not complete yet
      // One reply for every user of the shared WAIT.
      const Awaiting shared = std::move(head);
      awaiting_.pop_front();
      for (const auto& [user, ticket] : shared.confirmed) {
        if (std::find(served_.begin(), served_.end(), user) == served_.end()) {
          served_.push_back(user);
        }
        user->on_link_replies(data.substr(run_start, pos - run_start), ticket);
      }
      continue;
    }
    const std::shared_ptr<SharedLinkUser> user = head.user;
    const std::uint64_t ticket = head.ticket;
    if (head.replies == 0) awaiting_.pop_front();
    if (pos > run_start) {
      if (served_.empty() || served_.back() != user) served_.push_back(user);
      user->on_link_replies(data.substr(run_start, pos - run_start), ticket);
    }
  }
  in_.consume(pos);
  return true;
}

}  // namespace sp::proxy

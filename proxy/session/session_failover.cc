// Session: what a failover does to one client connection (README.md, "Failover as
// your clients see it"). The data path itself is in session.cc.
#include <algorithm>
#include <array>
#include <utility>

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/write.hpp>

#include "common/asio_util.h"
#include "proxy/admin/proxy_commands.h"
#include "proxy/config/repeated_log.h"
#include "proxy/links/backend_connect.h"
#include "proxy/links/role_reply.h"
#include "proxy/server/worker.h"
#include "proxy/session/blocking_retry.h"
#include "proxy/session/pubsub_frame.h"
#include "proxy/session/session.h"

namespace sp::proxy {
namespace {

using protocol::ParseStatus;

// Complete requests at the start of `data`: what a held session has queued.
std::int64_t count_requests(std::string_view data, const protocol::ProtocolLimits& limits) {
  protocol::RequestParser parser(limits);
  std::int64_t count = 0;
  std::size_t offset = 0;
  while (offset < data.size()) {
    const auto result = parser.parse(data.substr(offset));
    if (result.status != ParseStatus::kComplete) break;
    offset += result.consumed;
    ++count;
  }
  return count;
}

}  // namespace

bool Session::hold_enabled() const {
  return worker_.context().config.sentinel_managed && worker_.settings().hold().count() > 0;
}

SessionFacts Session::facts() const {
  const Topology& published = *worker_.topology();
  SessionFacts f;
  f.hold_enabled = hold_enabled();
  f.failover_hold = worker_.settings().hold();
  f.backend_connected = backend_connected_;
  f.master_replaced = published.epoch > topology_->epoch;
  f.failover_in_progress = published.failover_in_progress;
  f.replaced_master_up = published.replaced_master_up;
  f.idle = pending_.idle();
  f.passthrough = pending_.passthrough();
  f.ending = draining_ || flush_then_close_;
  f.stop_reading = stop_reading_;
  f.in_requests = in_requests_;
  f.in_multi = state_.in_multi();
  f.retry_pending = !retry_.empty();
  return f;
}

bool Session::needs_new_backend() const {
  return SessionMachine::needs_new_backend(facts());
}

bool Session::must_hold() const {
  return machine_.must_hold(facts());
}

void Session::on_settings() {
  if (closed_ || !machine_.holding()) return;
  wake_resume();
}

void Session::on_topology() {
  if (closed_) return;
  machine_.topology_changed();
  if (machine_.moving() && worker_.topology()->epoch > topology_->epoch) {
    // Still connecting to (or replaying on) the master just replaced, maybe a hung one:
    // give that up, the new one is tried at once.
    std::error_code ec;
    backend_.socket().cancel(ec);
  }
  wake_resume();
  consider_swap(Clock::now());
}

void Session::consider_swap(Clock::time_point now) {
  if (closed_) return;
  switch (machine_.consider_swap(facts(), now)) {
    case SessionMachine::Swap::kNone:
    case SessionMachine::Swap::kAwaitReplacedReplies:
      return;
    case SessionMachine::Swap::kWakeRequests:
      wake_resume();  // process_requests moves the session itself, between two commands
      return;
    case SessionMachine::Swap::kStartMove:
      asio::co_spawn(client_.get_executor(), attach_in_background(shared_from_this()),
                     LogStrayException{"session move"});
      return;
    case SessionMachine::Swap::kStartReplacedGrace:
      asio::co_spawn(client_.get_executor(), end_replaced_grace(shared_from_this()),
                     LogStrayException{"session grace"});
      return;
    case SessionMachine::Swap::kCloseUnknownOutcome:
      abandon_replaced_master();
      return;
  }
}

asio::awaitable<void> Session::end_replaced_grace(std::shared_ptr<Session> self) {
  asio::steady_timer timer(self->client_.get_executor(), self->machine_.replaced_grace_until());
  co_await timer.async_wait(use_nothrow);
  self->consider_swap(Clock::now());
}

void Session::abandon_replaced_master() {
  // Commands in flight on the replaced master have an unknown outcome: a write it
  // acknowledges after the promotion is lost when it is turned into a replica (a hung
  // master that wakes up does exactly that). So nothing it sends from now on reaches the
  // client: the replies already received are written, then the connection breaks, as a
  // direct one to a failed master would. MONITOR-like streams cannot be carried over.
  spdlog::warn("client {}: closing: {} on master {} when clients moved to {}", peer_name(client_),
               pending_.passthrough()
                   ? "a MONITOR-like stream"
                   : std::to_string(pending_.pending()) + " command(s) in flight",
               topology_->master_address(), worker_.topology()->master_address());
  worker_.stats().sessions_closed_at_swap.add();
  ++backend_generation_;
  backend_connected_ = false;
  machine_.left_backend();
  std::error_code ec;
  backend_.close(ec);
  link_.reset();  // what it still sends for this session is dropped (the ticket is old)
  stop_reading_ = true;
  wake_resume();
  close_when_flushed();
}

asio::awaitable<void> Session::attach_in_background(std::shared_ptr<Session> self) {
  co_await self->attach_backend();
}

bool Session::detach_backend(std::string_view why) {
  if (machine_.on_backend_lost(facts()) == SessionMachine::Lost::kClose) return false;
  static RepeatedLog repeated;  // every session of a master that died says the same
  if (std::uint64_t left_out = 0; repeated.admit(Clock::now(), left_out)) {
    spdlog::info("client {}: connection to master {} lost ({}); the session waits for a master{}",
                 peer_name(client_), topology_->master_address(), why, RepeatedLog::note(left_out));
  }
  ++backend_generation_;
  backend_connected_ = false;
  machine_.left_backend();
  unreachable_reason_ = std::string(why);
  std::error_code ec;
  backend_.close(ec);
  link_.reset();
  wake_resume();
  consider_swap(Clock::now());
  return true;
}

asio::awaitable<bool> Session::attach_backend(bool pinning) {
  machine_.attach_started();
  const std::uint64_t generation = ++backend_generation_;
  std::error_code ec;
  const bool moving = ever_attached_ && !pinning;
  const std::string from = topology_->master_address();
  if (backend_connected_) {
    backend_connected_ = false;
    backend_.close(ec);
  }
  link_.reset();
  backend_in_.consume(backend_in_.size());
  reply_parser_ = protocol::ReplyParser();
  stream_head_.clear();
  if (moving) state_.transaction_lost();
  const Config& config = worker_.context().config;
  bool ok = false;
  if (pooled_) {
    // A pooled session has no state of its own to replay: the link checked ROLE.
    ok = co_await attach_link();
  } else {
    ok = co_await connect_backend();
    role_unverified_ = role_check_pending_ = false;
    if (ok && !closed_ && config.sentinel_managed) ok = co_await replay_state();
  }
  if (credentials_refused_) {
    close();
    co_return false;
  }
  if (closed_ || generation != backend_generation_) ok = false;
  if (ok) {
    backend_connected_ = true;
    ever_attached_ = true;
    if (moving) {
      worker_.stats().sessions_migrated.add();
      static RepeatedLog repeated;
      if (std::uint64_t left_out = 0; repeated.admit(Clock::now(), left_out)) {
        spdlog::info("client {}: moved from master {} to {} with its state{}", peer_name(client_),
                     from, topology_->master_address(), RepeatedLog::note(left_out));
      }
    }
    if (pinning) worker_.stats().sessions_pinned.add();
    // Messages that came in behind the replayed subscriptions, before the reader starts:
    // co_spawn runs it at once, and its read is into backend_in_, which framing them
    // would move under it.
    if (backend_in_.size() > 0 && !process_replies()) {
      close_on_malformed_reply();
      co_return false;
    }
    if (!pooled_) {
      asio::co_spawn(client_.get_executor(), backend_reader(shared_from_this(), generation),
                     LogStrayException{"backend reader"});
    }
    if (!retry_.empty()) {
      const bool sent = co_await send_retry();
      ok = sent;
    }
  } else {
    backend_.close(ec);
  }
  // A newer master published meanwhile is tried at once; the same one a little later.
  machine_.attach_done(ok, worker_.topology()->epoch > topology_->epoch, config.sentinel_managed,
                       Clock::now());
  wake_resume();
  wake_writer();
  if (!ok && !closed_ && !machine_.attach_scheduled()) consider_swap(Clock::now());
  co_return ok;
}

asio::awaitable<bool> Session::attach_link() {
  topology_ = worker_.topology();
  std::string why;
  std::shared_ptr<SharedLink> link = co_await worker_.links().acquire(*topology_, why);
  if (!link) {
    unreachable_reason_ = why;
    count_connect_failure();
    co_return false;
  }
  link_ = std::move(link);
  co_return true;
}

void Session::leave_unusable_link() {
  if (!pooled_ || !backend_connected_ || !link_ || link_->usable() || !pending_.idle() ||
      !retry_.empty()) {
    return;
  }
  ++backend_generation_;
  backend_connected_ = false;
  link_.reset();
}

asio::awaitable<void> Session::pin_connection() {
  // The replies over the shared link come first, in order; then the session is on its
  // own connection, with the same checks and replay as a move.
  while (!pending_.idle() && backend_connected_ && !closed_ && !stop_reading_) {
    co_await wait_resume();
  }
  pin_requested_ = false;
  if (closed_ || stop_reading_) co_return;
  pooled_ = false;
  if (backend_connected_) {
    ++backend_generation_;
    backend_connected_ = false;
    link_.reset();
  }
  co_await attach_backend(/*pinning=*/true);
}

asio::awaitable<bool> Session::replay_state() {
  const SessionState::Replay replay = state_.replay(pending_.resp_version());
  auto [ec, written] = co_await backend_.write_all(asio::buffer(replay.commands));
  (void)written;
  const auto deadline = Clock::now() + worker_.settings().connect_timeout;
  std::size_t seen = 0;
  while (!ec) {
    const std::string_view data = backend_in_.data();
    std::size_t pos = 0;
    while (seen < replay.replies && pos < data.size()) {
      const auto result = reply_parser_.parse(data.substr(pos));
      if (result.status == ParseStatus::kNeedMore) break;
      if (result.status == ParseStatus::kError) {
        unreachable_reason_ = "malformed reply to the session's replayed state";
        co_return false;
      }
      const std::string_view frame = data.substr(pos, result.consumed);
      pos += result.consumed;
      const bool error = reply_parser_.is_error();
      if (!error && classify_pubsub_frame(frame).kind == PubsubFrame::kMessage) {
        out_.append(frame);  // published after a replayed subscription: the client's
        continue;
      }
      if (seen == replay.role_reply && error && frame.starts_with("-NOAUTH") &&
          !state_.authenticated()) {
        // The master demands a password the session has not given: ROLE is checked again
        // behind its AUTH (on_role_check), before its first command.
        role_unverified_ = true;
      }
      if (seen == replay.role_reply && denies_master(frame)) {
        unreachable_reason_ = "it does not answer ROLE as a master";
        co_return false;
      }
      if (error && seen == 0 && state_.authenticated()) {
        // The new master refuses the client's credentials (-WRONGPASS: a password changed,
        // or a user removed): going on would leave the client unauthenticated without it
        // knowing, so the session ends, as a broken connection would.
        spdlog::warn("client {}: master {} refused the session's credentials ({}); closing it",
                     peer_name(client_), topology_->master_address(),
                     frame.substr(0, frame.size() - 2));
        credentials_refused_ = true;
        co_return false;
      }
      if (error) {
        // The client's own state fails on the new master (a SELECT beyond its databases,
        // say): the session goes on as a direct connection would after that command failed.
        spdlog::info("client {}: replaying its state on {}: {}", peer_name(client_),
                     topology_->master_address(), frame.substr(0, frame.size() - 2));
      }
      ++seen;
    }
    backend_in_.consume(pos);
    if (seen == replay.replies) co_return true;
    const auto room = backend_in_.prepare();
    const auto [read_ec, n] = co_await read_some_until(backend_, room, deadline);
    ec = read_ec;
    if (!ec && n == 0) ec = asio::error::eof;
    if (!ec) backend_in_.commit(n);
  }
  unreachable_reason_ = ec == asio::error::timed_out ? "no reply to ROLE in time" : ec.message();
  co_return false;
}

asio::awaitable<void> Session::wait_resume() {
  resume_signal_.expires_at(machine_.next_wake(facts()));
  resume_waiting_ = true;
  co_await resume_signal_.async_wait(use_nothrow);
  resume_waiting_ = false;
}

void Session::wake_resume() {
  if (resume_waiting_) resume_signal_.cancel();
}

void Session::on_role_check(std::string_view reply) {
  role_check_pending_ = false;
  if (says_master(reply)) {
    role_unverified_ = false;
  } else if (denies_master(reply)) {
    // Authenticated at last, the master it was sent to says it is none: as at a failed
    // attach, nothing of the client's goes there. Its AUTH reply still reaches it.
    spdlog::warn("client {}: {} does not answer ROLE as a master; closing the session",
                 peer_name(client_), topology_->master_address());
    stop_reading_ = true;
    close_when_flushed();
  }
  // An error (the AUTH failed): still unverified, checked again behind the next AUTH.
  wake_resume();
}

bool Session::begin_retry(std::string_view refusal) {
  if (!SessionMachine::may_retry(facts()) || !pending_.take_for_retry(retry_)) return false;
  if (unconfirmed_.holding()) {
    // Their WAIT was taken back with the commands: the writes whose replies were held ran
    // on a master that was demoted before confirming them.
    const std::string why = "the master was demoted before a replica confirmed it";
    count_unconfirmed(unconfirmed_.refuse_all(unconfirmed_reply(why), out_, pending_.completed()),
                      why);
  }
  spdlog::info("client {}: master {} answered {}; {} command(s) wait for the current master",
               peer_name(client_), topology_->master_address(), refusal, retry_.commands.size());
  // (A loading master is no demoted one: the others' shared links to it stay.)
  if (link_ && refusal != "-LOADING") link_->mark_demoted();
  ++backend_generation_;
  backend_connected_ = false;
  unreachable_reason_ = "it answered ";
  unreachable_reason_.append(refusal);
  const auto now = Clock::now();
  // A master that was not replaced but is loading (restarted from its files) gets the
  // commands once more; its -LOADING then reaches the client, as it would a direct one,
  // for the rest of failover-hold-ms or until another master is published.
  if (refusal == "-LOADING" && !facts().master_replaced) {
    loading_retried_at_ = now;
    loading_retried_epoch_ = topology_->epoch;
  }
  std::error_code ec;
  backend_.close(ec);
  link_.reset();
  if (machine_.retry_started(now)) count_hold_begun();
  count_held_commands();
  // The move starts from replies_framed(), once the bytes framed with this reply are
  // consumed: started here, it would empty backend_in_ under frame_replies.
  wake_resume();
  return true;
}

bool Session::loading_retryable(Clock::time_point now) const {
  if (facts().master_replaced) return true;
  return loading_retried_at_ == Clock::time_point{} || loading_retried_epoch_ != topology_->epoch ||
         now - loading_retried_at_ >= worker_.settings().hold();
}

asio::awaitable<bool> Session::send_retry() {
  RetryBatch batch = std::exchange(retry_, {});
  // A blocking command waits on the new master only for the time it has left.
  retime_blocking_commands(batch, Clock::now());
  std::size_t at = 0;
  bool writes = false;
  for (const auto& command : batch.commands) {
    pending_.on_forwarded(CommandRole::kPlain, command.slot, command.start, 0, {}, false,
                          std::string_view(batch.requests).substr(at, command.length),
                          command.durable_write, command.late_reply);
    at += command.length;
    writes = writes || command.durable_write;
  }
  std::uint32_t replies = static_cast<std::uint32_t>(batch.commands.size());
  if (writes) {
    // The writes among them wait for a replica of the new master, as any other.
    pending_.on_durability_wait(Clock::now());
    unconfirmed_.on_wait_sent();
    worker_.stats().durability_waits.add();
    if (!pooled_) batch.requests.append(wait_command());
  }
  worker_.stats().commands_retried.add(static_cast<std::int64_t>(batch.commands.size()));
  spdlog::info("client {}: {} command(s) refused by a demoted master sent again to master {}",
               peer_name(client_), batch.commands.size(), topology_->master_address());
  // A held client reader forwards its own queue next and ends the hold then.
  if (!in_requests_) end_hold(Clock::now());
  count_held_commands();
  if (pooled_) {
    // The link copies the requests and counts what it writes.
    const std::array<asio::const_buffer, 1> requests{asio::buffer(batch.requests)};
    if (link_->send(requests, replies, shared_from_this(), backend_generation_,
                    writes ? std::string_view(wait_command()) : std::string_view())) {
      co_return true;
    }
    spdlog::warn("client {}: the shared connection to master {} closed", peer_name(client_),
                 topology_->master_address());
    close();
    co_return false;
  }
  auto [ec, written] = co_await backend_.write_all(asio::buffer(batch.requests));
  if (ec) {
    spdlog::warn("client {}: write to master {} failed: {}", peer_name(client_),
                 topology_->master_address(), ec.message());
    close();
    co_return false;
  }
  worker_.stats().backend_bytes_out.add(static_cast<std::int64_t>(written));
  co_return true;
}

void Session::expire_retry(Clock::time_point now) {
  if (retry_.empty() || !machine_.hold_expired(facts(), now)) return;
  const RetryBatch batch = std::exchange(retry_, {});
  for (const auto& command : batch.commands) {
    worker_.stats().hold_timeouts.add();
    answer_locally(hold_expired_reply(*worker_.topology(), worker_.settings().hold()), command.slot,
                   command.start, false, true);
  }
  if (!in_requests_) end_hold(now);
  count_held_commands();
  wake_writer();
}

void Session::count_held_commands() {
  std::int64_t held = static_cast<std::int64_t>(retry_.commands.size());
  if (machine_.holding() && !closed_) {
    held += count_requests(in_.data(), request_parser_.limits());
  }
  worker_.stats().held_commands.add(held - held_commands_);
  held_commands_ = held;
}

void Session::begin_hold(Clock::time_point now) {
  if (machine_.begin_hold(now)) count_hold_begun();
}

void Session::count_hold_begun() {
  worker_.stats().holds.add();
  worker_.stats().sessions_held.add(1);
}

void Session::end_hold(Clock::time_point now) {
  if (!machine_.holding()) return;
  worker_.stats().hold_ns.add(machine_.end_hold(now).count());
  worker_.stats().sessions_held.add(-1);
  count_held_commands();
}

}  // namespace sp::proxy

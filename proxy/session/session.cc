#include "proxy/session/session.h"

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/read.hpp>
#include <asio/this_coro.hpp>
#include <asio/write.hpp>

#include "common/asio_util.h"
#include "common/tcp_keepalive.h"
#include "protocol/command_table.h"
#include "protocol/writer.h"
#include "proxy/admin/proxy_commands.h"
#include "proxy/config/repeated_log.h"
#include "proxy/links/backend_connect.h"
#include "proxy/links/gather_list.h"
#include "proxy/server/worker.h"
#include "proxy/session/blocking_retry.h"
#include "proxy/session/command_class.h"

namespace sp::proxy {
namespace {

using protocol::iequals;
using protocol::ParseStatus;

protocol::ProtocolLimits limits_from(const Config& config) {
  protocol::ProtocolLimits limits;
  limits.max_bulk_len = config.proto_max_bulk_len;
  return limits;
}

// What a session sends behind its first AUTH when its master could not be verified before.
constexpr std::string_view kRoleCheck = "*1\r\n$4\r\nROLE\r\n";

// What a session sends in EXEC's place when the transaction cannot run (see route_request).
constexpr std::string_view kDiscardCommand = "*1\r\n$7\r\nDISCARD\r\n";

// Commands the proxy answers itself: they never wait for a master.
bool answered_by_proxy(const CommandClass& command, std::string_view name, const Config& config) {
  return command.quit || config.proxy_commands.is_proxy(name);
}

// Replies longer than this are streamed to the client in parts as they arrive.
constexpr std::size_t kStreamAbove = 16 * 1024;
constexpr std::size_t kStreamHead = 64;

}  // namespace

std::string peer_name(const asio::ip::tcp::socket& socket) {
  std::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "?";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

Session::Session(Worker& worker, asio::ip::tcp::socket client, bool tls)
    : worker_(worker),
      client_(std::move(client)),
      backend_(client_.get_executor()),
      accept_tls_(tls),
      topology_(worker.topology()),
      in_(worker.stats().buffer_bytes),
      backend_in_(worker.stats().buffer_bytes),
      request_parser_(limits_from(worker.settings())),
      reply_parser_(),
      write_signal_(client_.get_executor(), Clock::time_point::max()),
      drained_signal_(client_.get_executor(), Clock::time_point::max()),
      resume_signal_(client_.get_executor(), Clock::time_point::max()),
      deferred_signal_(client_.get_executor(), Clock::time_point::max()),
      last_activity_(Clock::now()),
      pooled_(worker.context().config.backend_pool_size > 0) {
  worker_.sessions().add(this);
  worker_.stats().connected_clients.add(1);
  worker_.stats().connections_accepted.add(1);
}

Session::~Session() {
  worker_.sessions().remove(this);
  worker_.stats().connected_clients.add(-1);
  worker_.context().clients.fetch_sub(1, std::memory_order_relaxed);
}

void Session::start() {
  std::error_code ec;
  client_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  set_tcp_keepalive(client_.socket().native_handle(), worker_.settings().tcp_keepalive);
  if (pooled_) client_.socket().non_blocking(true, ec);  // for on_link_read_done
  asio::co_spawn(client_.get_executor(), run(shared_from_this()), LogStrayException{"session"});
}

void Session::close() {
  if (closed_) return;
  closed_ = true;
  std::error_code ec;
  client_.close(ec);
  backend_.close(ec);
  link_.reset();
  write_signal_.cancel();
  drained_signal_.cancel();
  resume_signal_.cancel();
  deferred_signal_.cancel();
  retry_ = {};  // retry_ is only ever filled while holding: end_hold zeroes the gauge share
  end_hold(Clock::now());
}

void Session::drain() {
  draining_ = true;
  stop_reading_ = true;
  wake_resume();
  std::error_code ec;
  // Wakes the client reader with end-of-file; it sees draining_ and keeps the session.
  client_.socket().shutdown(asio::ip::tcp::socket::shutdown_receive, ec);
  if (pending_.idle() || !backend_connected_) close_when_flushed();
}

void Session::leave_when_idle(Clock::time_point now) {
  if (closed_ || draining_) return;
  // A subscriber or a MONITOR is never between commands: it reconnects, as after a restart.
  const bool streaming = pending_.subscribed() || pending_.passthrough();
  const bool quiet = now - last_activity_ >= kQuietBeforeLeaving && pending_.idle() &&
                     in_.size() == 0 && retry_.empty() && !state_.in_multi();
  if (!streaming && !quiet) return;
  std::error_code ec;
  if (!streaming && client_.available(ec) > 0 && !ec) return;  // a request on its way
  drain();
}

void Session::close_when_flushed() {
  flush_then_close_ = true;
  wake_writer();
}

void Session::on_cron(Clock::time_point now) {
  if (closed_) return;
  consider_swap(now);
  if (closed_) return;
  expire_retry(now);
  const Config& config = worker_.settings();
  if (config.timeout.count() > 0 && pending_.idle() && retry_.empty() && !pending_.subscribed() &&
      !pending_.passthrough() && now - last_activity_ > config.timeout) {
    spdlog::info("closing client {}: idle for more than {}s", peer_name(client_),
                 config.timeout.count());
    worker_.stats().limit_closes.add();
    close();
    return;
  }
  const auto& limit = config.client_output_buffer_limit;
  if (limit.soft == 0 || output_held() < limit.soft) {
    soft_limit_since_ = {};
  } else if (soft_limit_since_ == Clock::time_point{}) {
    soft_limit_since_ = now;
  } else if (now - soft_limit_since_ >= limit.soft_seconds) {
    spdlog::warn("closing client {}: output over the soft limit ({} bytes) for {}s",
                 peer_name(client_), limit.soft, limit.soft_seconds.count());
    worker_.stats().limit_closes.add();
    close();
  }
}

bool Session::check_output_limit() {
  const auto hard = worker_.settings().client_output_buffer_limit.hard;
  if (hard == 0 || output_held() < hard) return true;
  spdlog::warn("closing client {}: output buffer over the hard limit ({} bytes)",
               peer_name(client_), hard);
  worker_.stats().limit_closes.add();
  close();
  return false;
}

void Session::wake_writer() {
  // The writer runs after the handlers ready now: with many clients, replies read in one
  // pass over the event loop's ready sockets leave together (writing each at once, as the
  // requests are, measured 5-8 % slower at -c 50 on two cores, and no faster at -c 1).
  if (writer_waiting_) write_signal_.cancel();
}

asio::awaitable<void> Session::run(std::shared_ptr<Session> self) {
  // Plain statements around co_await: GCC 12 miscompiles some co_await in conditions.
  Session* session = self.get();
  if (session->accept_tls_) {
    const bool accepted = co_await session->accept_tls();
    if (!accepted) co_return;
  }
  co_await session->attach_backend();
  asio::co_spawn(session->client_.get_executor(), client_writer(self),
                 LogStrayException{"client writer"});
  co_await client_reader(self);
}

asio::awaitable<bool> Session::connect_backend() {
  topology_ = worker_.topology();
  std::error_code ec;
  const auto address = asio::ip::make_address(topology_->master_ip, ec);
  if (!ec) {
    ec = co_await connect_with_timeout(
        backend_, asio::ip::tcp::endpoint(address, topology_->master_port),
        worker_.settings().connect_timeout, worker_.context().tls.get());
  }
  auto& stats = worker_.stats();
  if (ec) {
    unreachable_reason_ = ec == asio::error::timed_out ? "Connection timed out" : ec.message();
    count_connect_failure();
    co_return false;
  }
  const auto now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
  stats.backend_connects.add();
  set_tcp_keepalive(backend_.socket().native_handle(), worker_.settings().tcp_keepalive);
  backend_.socket().non_blocking(true, ec);  // for write_now
  stats.last_connect_ok_ns.add(now_ns - stats.last_connect_ok_ns.get());
  co_return true;
}

asio::awaitable<bool> Session::accept_tls() {
  accept_tls_ = false;
  const std::string peer = peer_name(client_);  // a failed handshake closes the socket
  const std::error_code ec =
      co_await client_.accept_tls(*worker_.context().tls, Clock::now() + kTlsHandshakeTimeout);
  if (!ec && !closed_) co_return true;
  if (ec) {
    // Scanners and plain-text clients on the TLS port: said, but not once each.
    static RepeatedLog repeated;
    if (std::uint64_t left_out = 0; repeated.admit(Clock::now(), left_out)) {
      spdlog::info("client {}: TLS handshake failed ({}): {}{}", peer,
                   tls::to_string(tls::classify_handshake_failure(ec)), ec.message(),
                   RepeatedLog::note(left_out));
    }
  }
  close();
  co_return false;
}

void Session::count_connect_failure() {
  auto& stats = worker_.stats();
  const auto now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
  stats.backend_connect_failures.add();
  stats.last_connect_fail_ns.add(now_ns - stats.last_connect_fail_ns.get());
  static RepeatedLog repeated;
  if (std::uint64_t left_out = 0; repeated.admit(Clock::now(), left_out)) {
    spdlog::warn("client {}: master of '{}' ({}) unreachable: {}{}", peer_name(client_),
                 topology_->group, topology_->master_address(), unreachable_reason_,
                 RepeatedLog::note(left_out));
  }
}

asio::awaitable<void> Session::client_reader(std::shared_ptr<Session> self) {
  while (!self->closed_ && !self->stop_reading_) {
    auto room = self->in_.prepare();
    auto [ec, n] = co_await self->client_.read_some(asio::buffer(room.data(), room.size()));
    if (ec || n == 0) {
      if (self->draining_) co_return;  // drain() shut the read side; the writer finishes
      // The client is gone: as with Redis, whatever it asked for is dropped.
      if (ec && ec != asio::error::eof && ec != asio::error::operation_aborted &&
          ec != asio::error::connection_reset) {
        spdlog::info("client {}: read failed: {}", peer_name(self->client_), ec.message());
      }
      self->close();
      co_return;
    }
    const auto now = Clock::now();
    self->in_.commit(n);
    self->last_activity_ = now;
    self->worker_.stats().client_bytes_in.add(static_cast<std::int64_t>(n));
    const bool more = co_await self->process_requests(now);
    if (!more) co_return;

    // Replies the proxy wrote itself count against the output limit too, and a client that
    // does not read them is not read either (as the master is not read for one that does
    // not read its replies), so that they cannot pile up in the proxy.
    if (!self->check_output_limit()) co_return;
    while (!self->closed_ && self->output_queued() >= kOutputHighWater) {
      self->client_paused_ = true;
      co_await self->drained_signal_.async_wait(use_nothrow);
      self->client_paused_ = false;
    }
    // The limits as they are now (PROXY CONFIG SET changes them for connected clients too).
    const Config& settings = self->worker_.settings();
    self->request_parser_.set_max_bulk_len(settings.proto_max_bulk_len);
    const std::uint64_t query_limit = settings.client_query_buffer_limit;
    if (self->in_.size() > query_limit) {
      // Redis closes such a client without a reply ("max query buffer length").
      spdlog::warn("closing client {}: query buffer over client-query-buffer-limit ({} bytes)",
                   peer_name(self->client_), query_limit);
      self->worker_.stats().limit_closes.add();
      self->close();
      co_return;
    }
  }
}

asio::awaitable<bool> Session::process_requests(Clock::time_point now) {
  // Bytes read after the session decided to stop (QUIT, a protocol error, the master lost)
  // are dropped, as Redis drops them; above all, a lost master is not reconnected here.
  if (stop_reading_ || closed_) co_return false;
  in_requests_ = true;
  for (;;) {
    leave_unusable_link();
    // At a command boundary with nothing in flight, a session without a (current) master
    // connection gets one: without a sentinel that is simply trying again with each batch.
    if (machine_.attach_inline(facts(), now)) {
      co_await attach_backend();
      if (closed_) break;
    }
    const bool held = co_await forward_requests(now);
    if (awaiting_identity_ && !closed_ && !stop_reading_) {
      while ((state_.identity_pending() || role_check_pending_) && backend_connected_ && !closed_) {
        co_await wait_resume();
      }
      awaiting_identity_ = false;
      now = Clock::now();
      continue;
    }
    if (pin_requested_ && !closed_ && !stop_reading_) {
      co_await pin_connection();
      now = Clock::now();
      continue;
    }
    if (!held || closed_ || stop_reading_) break;
    begin_hold(now);
    count_held_commands();
    co_await wait_resume();
    now = Clock::now();
    if (closed_) break;
    consider_swap(now);
    if (machine_.hold_expired(facts(), now)) {
      expire_retry(now);
      hold_expired_ = true;
    }
  }
  in_requests_ = false;
  co_return !closed_ && !stop_reading_;
}

asio::awaitable<bool> Session::forward_requests(Clock::time_point now) {
  const std::string_view data = in_.data();
  const bool had_partial = have_partial_;
  Clock::time_point start = had_partial ? partial_start_ : now;
  std::size_t offset = 0;
  std::size_t range_start = 0;
  bool held = false;
  batch_.clear();
  batch_replies_ = 0;
  batch_writes_ = false;
  // A replica's bytes after SYNC/PSYNC (REPLCONF ACKs) go on as they are.
  if (byte_pipe_) offset = data.size();
  // Who the client is changes only with a reply, never within one pass.
  request_parser_.set_unauthenticated(unauthenticated());
  while (offset < data.size() && !stop_reading_) {
    const auto result = request_parser_.parse(data.substr(offset));
    if (result.status == ParseStatus::kNeedMore) break;
    if (result.status == ParseStatus::kError && state_.identity_pending() &&
        (request_parser_.error() == protocol::ProtocolError::kUnauthenticatedBulkLength ||
         request_parser_.error() == protocol::ProtocolError::kUnauthenticatedMultibulkLength)) {
      // Over the limits of a client not yet authenticated, behind an AUTH whose reply is
      // still to come: Redis would have run the AUTH first, so wait for it (not reading the
      // client meanwhile) and judge this request again then.
      request_parser_.reset();
      awaiting_identity_ = true;
      break;
    }
    if (result.status == ParseStatus::kError) {
      // Like Redis: the requests before it are served, then the error, then the close.
      spdlog::info("closing client {}: {}", peer_name(client_), request_parser_.error_message());
      worker_.stats().protocol_errors.add();
      std::string reply;
      protocol::RespWriter(reply).error("ERR " + request_parser_.error_message());
      // The close behind the error must not overtake the replies held for a WAIT.
      if (batch_writes_) queue_confirmation(data, range_start, offset, now);
      if (offset > range_start) {
        batch_.push_back(asio::buffer(data.substr(range_start, offset - range_start)));
      }
      answer_locally(std::move(reply), static_cast<std::uint32_t>(command_slot(nullptr)), start,
                     true, true);
      range_start = offset = data.size();
      stop_reading_ = true;
      break;
    }
    const auto args = request_parser_.args();
    const CommandClass command = classify_command(args);
    // Behind commands waiting to be retried everything waits, even what the proxy answers.
    // A write refused by the fence is refused at once, not held: a proxy cut off from its
    // master and from the majority says so rather than keeping the client waiting.
    if (!args.empty() &&
        (!retry_.empty() || (!hold_expired_ && must_hold() &&
                             !answered_by_proxy(command, args[0], worker_.context().config) &&
                             !refused_by_fence(command)))) {
      held = true;  // this request and those after it wait in in_
      break;
    }
    if (pooled_ && command.pins && !answered_by_proxy(command, args[0], worker_.context().config) &&
        !refused_by_fence(command)) {
      pin_requested_ = true;  // it waits in in_ for the session's own connection
      break;
    }
    if (batch_writes_ && command.confirm_before) {
      queue_confirmation(data, range_start, offset, now);
    }
    const std::size_t end = offset + result.consumed;
    const Route route = route_request(args, command, data.substr(offset, result.consumed), start);
    if (byte_pipe_) {
      offset = data.size();
      break;
    }
    if (role_check_after_) {
      // A ROLE goes right behind the AUTH, and what follows waits for its verdict.
      batch_.push_back(asio::buffer(data.substr(range_start, end - range_start)));
      batch_.push_back(asio::buffer(kRoleCheck));
      pending_.on_hidden(now);
      role_check_after_ = false;
      role_check_pending_ = true;
      awaiting_identity_ = true;
      range_start = offset = end;
      break;
    }
    if ((route == Route::kForward && !args.empty()) || route == Route::kSubstituted) {
      ++batch_replies_;
    }
    if (route != Route::kForward) {
      if (offset > range_start) {
        batch_.push_back(asio::buffer(data.substr(range_start, offset - range_start)));
      }
      if (route == Route::kSubstituted) batch_.push_back(asio::buffer(substitute_bytes_));
      range_start = end;
    }
    offset = end;
    start = now;
  }
  if (batch_writes_ && backend_connected_ && !transaction_sent_ && !pending_.passthrough() &&
      !byte_pipe_) {
    queue_confirmation(data, range_start, offset, now);
  }
  if (offset > range_start && backend_connected_) {
    batch_.push_back(asio::buffer(data.substr(range_start, offset - range_start)));
  }
  hold_expired_ = false;
  if (!held && offset > 0) end_hold(now);
  have_partial_ = !held && !pin_requested_ && offset < data.size() && !stop_reading_;
  if (have_partial_ && (offset > 0 || !had_partial)) partial_start_ = now;
  if (!batch_.empty() && backend_connected_ && pooled_) {
    // The link copies the batch: what it holds of in_ can go now.
    const std::shared_ptr<SharedLink> link = link_;
    if (!link->send(batch_, batch_replies_, shared_from_this(), backend_generation_)) {
      spdlog::warn("client {}: the shared connection to master {} closed", peer_name(client_),
                   topology_->master_address());
      close();
      in_.consume(offset);
      co_return false;
    }
    in_.consume(offset);
    wake_writer();
    if (link->congested()) co_await link->wait_uncongested();
    co_return held;
  }
  if (!batch_.empty() && backend_connected_) {
    const std::uint64_t generation = backend_generation_;
    const std::size_t total = asio::buffer_size(batch_);
    std::error_code ec;
    std::size_t written = backend_.write_now(batch_, ec);
    if (!ec && written < total) {
      drop_prefix(batch_, written);
      auto [async_ec, rest] = co_await backend_.write_all(batch_);
      ec = async_ec;
      written += rest;
    }
    if (ec && generation != backend_generation_) {
      // The connection was left meanwhile for a -READONLY retry, which took these
      // commands back with the others awaiting replies.
      in_.consume(offset);
      co_return held;
    }
    if (ec) {
      spdlog::warn("client {}: write to master {} failed: {}", peer_name(client_),
                   topology_->master_address(), ec.message());
      close();
      in_.consume(offset);
      co_return false;
    }
    worker_.stats().backend_bytes_out.add(static_cast<std::int64_t>(written));
  }
  in_.consume(offset);
  wake_writer();
  co_return held;
}

void Session::queue_confirmation(std::string_view data, std::size_t& range_start,
                                 std::size_t offset, Clock::time_point now) {
  batch_writes_ = false;
  // Past MONITOR or CLIENT REPLY OFF nothing is matched any more (a WAIT goes ahead of them).
  if (pending_.passthrough()) return;
  if (offset > range_start) {
    batch_.push_back(asio::buffer(data.substr(range_start, offset - range_start)));
  }
  range_start = offset;
  pending_.on_durability_wait(now);
  unconfirmed_.on_wait_sent();
  worker_.stats().durability_waits.add();
  if (pooled_) {
    // The link sends one WAIT behind the requests of every session that asks in this pass
    // (SharedLink::send); what this session sends later goes behind that WAIT.
    const std::shared_ptr<SharedLink> link = link_;
    if (!link || !link->send(batch_, batch_replies_, shared_from_this(), backend_generation_,
                             wait_command())) {
      spdlog::warn("client {}: the shared connection to master {} closed", peer_name(client_),
                   topology_->master_address());
      stop_reading_ = true;
      close();
    }
    batch_.clear();
    batch_replies_ = 0;
    return;
  }
  batch_.push_back(asio::buffer(wait_command()));
  ++batch_replies_;
}

void Session::note_transaction(const CommandClass& command) {
  if (command.opens_transaction) transaction_sent_ = true;
  if (command.ends_transaction) transaction_sent_ = false;
}

const std::string& Session::wait_command() {
  const Config& settings = worker_.settings();
  const std::string replicas = std::to_string(settings.write_durability_replicas);
  const std::string timeout = std::to_string(settings.write_durability_timeout.count());
  wait_command_.assign("*3\r\n$4\r\nWAIT\r\n$");
  wait_command_.append(std::to_string(replicas.size())).append("\r\n");
  wait_command_.append(replicas).append("\r\n$");
  wait_command_.append(std::to_string(timeout.size())).append("\r\n");
  wait_command_.append(timeout).append("\r\n");
  return wait_command_;
}

void Session::on_confirmation(std::string_view reply) {
  const std::int64_t replicas = UnconfirmedReplies::replicas_in(reply);
  const std::int64_t wanted = worker_.settings().write_durability_replicas;
  if (replicas >= wanted) {
    unconfirmed_.on_wait_reply(true, {}, out_, pending_.completed());
    return;
  }
  std::string why;
  if (replicas < 0) {
    // An error (a demoted master, an ACL without WAIT): its first line, for the client.
    why.assign("WAIT answered ");
    why.append(reply.substr(0, std::min<std::size_t>(reply.find('\r'), 160)));
  } else {
    why.append(std::to_string(replicas)).append(" of ").append(std::to_string(wanted));
    why.append(" replica(s) confirmed it within ");
    why.append(std::to_string(worker_.settings().write_durability_timeout.count())).append(" ms");
  }
  count_unconfirmed(
      unconfirmed_.on_wait_reply(false, unconfirmed_reply(why), out_, pending_.completed()), why);
}

std::string Session::unconfirmed_reply(std::string_view why) const {
  std::string text("NOREPLICAS sentinel-proxy: write not confirmed by the replicas (");
  text.append(why).append("); it ran on master ").append(topology_->master_address());
  text.append(" and a failover may lose it (write-durability replica)");
  std::string reply;
  protocol::RespWriter(reply).error(text);
  return reply;
}

void Session::count_unconfirmed(std::size_t refused, std::string_view why) {
  if (refused == 0) return;
  worker_.stats().writes_unconfirmed.add(static_cast<std::int64_t>(refused));
  static RepeatedLog repeated;
  std::uint64_t left_out = 0;
  if (repeated.admit(Clock::now(), left_out)) {
    spdlog::warn("client {}: {} write(s) answered -NOREPLICAS: {}{}", peer_name(client_), refused,
                 why, RepeatedLog::note(left_out));
  }
}

bool Session::refused_by_fence(const CommandClass& command) const {
  return SessionMachine::refuses_write(worker_.topology()->writes_fenced, state_.in_multi(),
                                       command.specific);
}

Session::Route Session::route_request(std::span<const std::string_view> args,
                                      const CommandClass& command, std::string_view request,
                                      Clock::time_point start) {
  if (args.empty()) return Route::kForward;  // an empty line: Redis ignores it, so can we
  if (command.quit) {
    answer_locally("+OK\r\n", static_cast<std::uint32_t>(quit_command_slot()), start, true, false);
    stop_reading_ = true;
    return Route::kAnswered;
  }
  if (worker_.context().config.proxy_commands.is_proxy(args[0])) {
    return route_proxy_command(args, start);
  }
  const std::uint32_t slot = command.slot;
  const bool fenced = worker_.topology()->writes_fenced;
  if (refused_by_fence(command)) {
    worker_.stats().writes_refused_fenced.add();
    state_.command_refused();
    answer_locally(writes_fenced_reply(*worker_.topology()), slot, start, false, true);
    return Route::kAnswered;
  }
  if (hold_expired_ && must_hold()) {
    worker_.stats().hold_timeouts.add();
    answer_locally(hold_expired_reply(*worker_.topology(), worker_.settings().hold()), slot, start,
                   false, true);
    return Route::kAnswered;
  }
  if (!backend_connected_) {
    answer_locally(master_unreachable_reply(*topology_, unreachable_reason_), slot, start, false,
                   true);
    return Route::kAnswered;
  }
  if (worker_.settings().write_durability) {
    // Confirming a write needs its reply matched to it, which CLIENT REPLY OFF|SKIP and
    // MONITOR end for the rest of the connection.
    if (command.role == CommandRole::kPassthrough && protocol::iequals(args[0], "client")) {
      answer_locally(client_reply_refused_reply(), slot, start, false, true);
      return Route::kAnswered;
    }
    if (command.writes && pending_.passthrough()) {
      spdlog::info(
          "client {}: a write after MONITOR cannot be confirmed (write-durability); "
          "closing the connection",
          peer_name(client_));
      stop_reading_ = true;
      close_when_flushed();
      return Route::kAnswered;
    }
  }
  const bool tracks_state = !pending_.passthrough() && command.tracks_state;
  if (tracks_state && command.exec) {
    // A transaction the session could not carry to a new master fails as Redis fails it;
    // the backend's own MULTI is ended with DISCARD in EXEC's place. Under fencing every
    // transaction is discarded so: its writes would otherwise reach the master.
    const auto fate = SessionMachine::exec_fate(state_.exec_fate(), fenced);
    if (fate != state_.exec_fate()) worker_.stats().writes_refused_fenced.add();
    if (fate != SessionState::ExecFate::kForward) {
      std::string reply;
      protocol::RespWriter writer(reply, pending_.resp_version() == 3
                                             ? protocol::RespVersion::kResp3
                                             : protocol::RespVersion::kResp2);
      if (fate == SessionState::ExecFate::kAbort) {
        writer.error("EXECABORT Transaction discarded because of previous errors.");
      } else {
        writer.null_array();
      }
      worker_.stats().exec_aborted.add();
      pending_.on_substituted(std::move(reply), slot, start, true);
      substitute_bytes_ = kDiscardCommand;
      note_transaction(command);
      state_.note_forwarded(args);
      return Route::kSubstituted;
    }
  }
  const CommandRole role = command.role;
  int hello_proto = 0;
  if (role == CommandRole::kHello && args.size() >= 2) {
    if (args[1] == "2") hello_proto = 2;
    if (args[1] == "3") hello_proto = 3;
  }
  PubsubRequest pubsub;
  if (role == CommandRole::kPubsub) {
    pubsub.scope = command.scope;
    pubsub.names = static_cast<std::uint32_t>(args.size() - 1);
  }
  // Only a plain command outside a transaction can be sent again on its own.
  const bool retryable =
      role == CommandRole::kPlain && !tracks_state && !state_.in_multi() && hold_enabled();
  // Inside a transaction a write is only queued: EXEC is what a WAIT confirms.
  const bool durable_write = command.writes && worker_.settings().write_durability &&
                             !pending_.passthrough() && (command.exec || !transaction_sent_);
  batch_writes_ = batch_writes_ || durable_write;
  // MULTI and what it queues are answered +OK / +QUEUED (or an error) before anything
  // runs: only EXEC's reply tells whether the transaction ran.
  LateReply late_reply = LateReply::kRanTooLate;
  if (command.changes_no_data || command.opens_transaction ||
      (command.ends_transaction && !command.exec)) {
    late_reply = LateReply::kKept;
  } else if (command.exec) {
    late_reply = LateReply::kKeptIfRefused;
  } else if (transaction_sent_) {
    late_reply = LateReply::kKeptIfQueued;
  }
  note_transaction(command);
  pending_.on_forwarded(role, slot, start, hello_proto, pubsub, tracks_state,
                        retryable ? request : std::string_view(), durable_write, late_reply);
  if (role == CommandRole::kReplication) byte_pipe_ = true;
  if (tracks_state) state_.note_forwarded(args);
  if (role_unverified_ && command.identifies) {
    role_check_after_ = true;
  }
  return Route::kForward;
}

void Session::note_state_replies() {
  for (const StateReply reply : pending_.state_replies()) state_.on_reply(reply);
  pending_.state_replies().clear();
  if (awaiting_identity_ && !state_.identity_pending()) wake_resume();
}

void Session::answer_locally(std::string reply, std::uint32_t slot, Clock::time_point start,
                             bool close_after, bool error) {
  pending_.on_local(std::move(reply), slot, start, close_after, error, reply_sink());
  if (pending_.close_requested()) flush_then_close_ = true;
}

asio::awaitable<void> Session::backend_reader(std::shared_ptr<Session> self,
                                              std::uint64_t generation) {
  // A reader whose connection was replaced (the session moved to a new master) stops
  // without touching anything: the new connection has its own reader.
  const auto live = [&] { return !self->closed_ && self->backend_generation_ == generation; };
  while (live()) {
    auto room = self->backend_in_.prepare();
    auto [ec, n] = co_await self->backend_.read_some(asio::buffer(room.data(), room.size()));
    if (!live()) co_return;
    if (ec || n == 0) {
      self->on_backend_lost(ec ? ec.message() : std::string("closed by the master"));
      co_return;
    }
    self->backend_in_.commit(n);
    self->worker_.stats().backend_bytes_in.add(static_cast<std::int64_t>(n));
    if (!self->after_replies() || !live()) co_return;
    // Nothing more is read while a deferred reply holds the head (a bounded wait: the
    // sentinel inside answers at once).
    while (live() && self->pending_.head_is_deferred()) {
      co_await self->deferred_signal_.async_wait(use_nothrow);
    }
    while (live() && self->output_queued() >= kOutputHighWater) {
      self->backend_paused_ = true;
      co_await self->drained_signal_.async_wait(use_nothrow);
      self->backend_paused_ = false;
    }
  }
}

void Session::on_backend_lost(std::string_view why) {
  if (detach_backend(why)) return;
  // The master closed (or broke) the connection: the client sees its connection close
  // too, after the replies that did arrive, exactly as a direct connection would.
  static RepeatedLog repeated;
  std::uint64_t left_out = 0;
  if (!flush_then_close_ && repeated.admit(Clock::now(), left_out)) {
    spdlog::warn("client {}: connection to master {} lost: {}{}", peer_name(client_),
                 topology_->master_address(), why, RepeatedLog::note(left_out));
  }
  backend_connected_ = false;
  link_.reset();
  stop_reading_ = true;
  close_when_flushed();
}

bool Session::after_replies() {
  if (!process_replies()) {
    close_on_malformed_reply();
    return false;
  }
  return replies_framed();
}

void Session::close_on_malformed_reply() {
  spdlog::error("client {}: malformed reply from master {}: {}", peer_name(client_),
                topology_->master_address(), protocol::to_string(reply_parser_.error()));
  close();
}

bool Session::replies_framed() {
  if (pending_.close_requested()) flush_then_close_ = true;
  if (draining_ && pending_.idle()) flush_then_close_ = true;
  wake_writer();
  if (!check_output_limit()) return false;
  if (pending_.idle() && (needs_new_backend() || pin_requested_)) {
    // The last reply from a replaced master (or over the shared link, for a session about
    // to get its own connection) is in: the session can move now.
    wake_resume();
    consider_swap(Clock::now());
  }
  return !closed_;
}

void Session::on_link_replies(std::string_view bytes, std::uint64_t ticket) {
  if (closed_ || ticket != backend_generation_) return;
  // Framed where they lie, in the link's buffer; only what cannot be taken yet (the rest of
  // a long reply, frames behind a deferred one) is copied into backend_in_.
  bool framed = true;
  if (backend_in_.size() == 0) {
    const auto taken = frame_replies(bytes);
    framed = taken.has_value();
    if (framed) backend_in_.append(bytes.substr(*taken));
  } else {
    backend_in_.append(bytes);
    framed = process_replies();
  }
  if (!framed) {
    close_on_malformed_reply();
    return;
  }
  replies_framed();
}

void Session::on_link_read_done() {
  // One read of a shared link brings replies for many clients: each client's are written
  // once all are handed over, with no trip through the writer coroutine (its timer and two
  // handlers per reply). What the socket does not take at once is left to the writer.
  if (!writer_waiting_ || out_.empty() || closed_) return;
  std::error_code ec;
  const std::size_t n = client_.write_now(asio::buffer(out_), ec);
  if (ec || n == 0) {
    wake_writer();  // it sees the error itself, or waits for room
    return;
  }
  if (n < out_.size()) {
    // The commands completed in out_ are counted by the writer, with the rest.
    worker_.stats().client_bytes_out.add(static_cast<std::int64_t>(n));
    out_.erase(0, n);
    wake_writer();
    return;
  }
  count_written(n, pending_.completed(), out_);
  if (flush_then_close_) wake_writer();
  if (client_paused_) drained_signal_.cancel();
}

void Session::on_link_lost(std::string_view why, std::uint64_t ticket) {
  if (closed_ || ticket != backend_generation_) return;
  on_backend_lost(why);
}

bool Session::process_replies() {
  const auto taken = frame_replies(backend_in_.data());
  if (!taken) return false;
  backend_in_.consume(*taken);
  return true;
}

std::optional<std::size_t> Session::frame_replies(std::string_view data) {
  std::size_t pos = 0;
  while (pos < data.size()) {
    // Frames behind a reply that is not known yet wait for it (on_deferred_reply).
    if (pending_.head_is_deferred()) break;
    if (pending_.replication_stream()) {
      reply_sink().append(data.substr(pos));
      pos = data.size();
      break;
    }
    const auto result = reply_parser_.parse(data.substr(pos));
    if (result.status == ParseStatus::kError) return std::nullopt;
    if (result.status == ParseStatus::kNeedMore) {
      // A long reply goes on in parts, so that memory stays bounded whatever its size.
      const std::size_t framed = reply_parser_.framed();
      if (framed >= kStreamAbove) {
        if (stream_head_.empty()) {
          stream_head_.assign(data.substr(pos, kStreamHead));
          stream_begin_ = reply_sink().size();
        }
        reply_sink().append(data.substr(pos, framed));
        reply_parser_.drop_prefix(framed);
        pos += framed;
      }
      break;
    }
    const std::string_view frame = data.substr(pos, result.consumed);
    pos += result.consumed;
    // (A RESP2 subscriber's message is no reply: the WAIT's comes after it.)
    if (!reply_parser_.is_push() && pending_.head_is_durability_wait() &&
        !pending_.is_resp2_message(frame)) {
      on_confirmation(frame);
      pending_.complete_hidden(reply_sink());
      continue;
    }
    if (!reply_parser_.is_push() && pending_.head_is_hidden()) {
      on_role_check(frame);
      pending_.complete_hidden(reply_sink());
      continue;
    }
    if (!reply_parser_.is_push() && pending_.head_is_probe()) {
      auto reply = answer_probe(frame);
      if (!reply) {
        pending_.defer_head_probe();
        continue;  // the loop stops at the deferred reply
      }
      pending_.fill_head_probe(std::move(*reply));
    }
    const std::string* substitute = reply_parser_.is_push() ? nullptr : pending_.head_substitute();
    // -READONLY (a write a demoted master refused), -LOADING (a demoted master loading
    // its new master's data) and -UNBLOCKED on a blocking command (a pop a demoted master
    // ended) all prove nothing happened: sent again elsewhere.
    const bool is_error =
        substitute == nullptr && reply_parser_.is_error() && !reply_parser_.is_push();
    const std::string_view refusal =
        is_error ? SessionMachine::retryable_refusal(
                       frame,
                       frame.starts_with("-UNBLOCKED ") &&
                           is_key_blocking_request(pending_.head_request()),
                       frame.starts_with("-LOADING ") && loading_retryable(Clock::now()))
                 : std::string_view();
    const bool taken_back = !refusal.empty() && begin_retry(refusal);
    if (taken_back || (machine_.awaiting_replaced_master() &&
                       !late_reply_kept(pending_.head_late_reply(), frame, is_error))) {
      // Any other reply from a replaced master means its command ran there, too late
      // (see consider_swap); but a reply that changes no data (a read's, PUBLISH's,
      // MULTI's, a refused EXEC's) is passed on as if it had come just before the switch.
      if (!taken_back) abandon_replaced_master();
      // What else this connection sends is for commands taken back or abandoned.
      note_state_replies();
      return data.size();
    }
    std::string& sink = reply_sink();
    if (substitute != nullptr) {
      const std::string reply = *substitute;  // PendingReplies drops its copy on completion
      sink.append(reply);
      pending_.on_frame(reply, false, reply.front() == '-', sink);
    } else {
      const std::size_t begin = stream_head_.empty() ? sink.size() : stream_begin_;
      sink.append(frame);
      if (unconfirmed_.holding() && !reply_parser_.is_push() && !reply_parser_.is_error() &&
          pending_.head_is_durable_write()) {
        unconfirmed_.note_write_reply(begin);
      }
      const std::string_view head = stream_head_.empty() ? frame : std::string_view(stream_head_);
      pending_.on_frame(head, reply_parser_.is_push(), reply_parser_.is_error(), sink);
    }
    if (unconfirmed_.holding()) unconfirmed_.hold_completed(pending_.completed());
    stream_head_.clear();
  }
  note_state_replies();
  return pos;
}

void Session::count_written(std::size_t bytes, std::vector<CompletedCommand>& completed,
                            std::string& written) {
  auto& stats = worker_.stats();
  const auto now = Clock::now();
  stats.client_bytes_out.add(static_cast<std::int64_t>(bytes));
  for (const auto& done : completed) stats.count_command(done.slot, done.error, now - done.start);
  completed.clear();
  if (written.capacity() > IoBuffer::kShrinkAbove) {
    std::string().swap(written);
  } else {
    written.clear();
  }
}

asio::awaitable<void> Session::client_writer(std::shared_ptr<Session> self) {
  while (!self->closed_) {
    if (self->out_.empty()) {
      if (self->flush_then_close_) break;
      self->writer_waiting_ = true;
      co_await self->write_signal_.async_wait(use_nothrow);
      self->writer_waiting_ = false;
      continue;
    }
    std::swap(self->out_, self->writing_);
    std::swap(self->pending_.completed(), self->writing_completed_);
    auto [ec, n] = co_await self->client_.write_all(asio::buffer(self->writing_));
    if (ec) {
      if (!self->closed_ && ec != asio::error::broken_pipe && ec != asio::error::connection_reset) {
        spdlog::info("client {}: write failed: {}", peer_name(self->client_), ec.message());
      }
      break;
    }
    self->count_written(n, self->writing_completed_, self->writing_);
    if (self->backend_paused_ || self->client_paused_) self->drained_signal_.cancel();
  }
  self->close();
}

}  // namespace sp::proxy

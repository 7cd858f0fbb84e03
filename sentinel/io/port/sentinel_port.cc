#include "sentinel/io/port/sentinel_port.h"

#include <spdlog/spdlog.h>

#include <asio/co_spawn.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "common/asio_util.h"
#include "common/listening_socket.h"
#include "common/tcp_keepalive.h"
#include "common/tls/stream.h"
#include "common/tls/tls_store.h"
#include "protocol/command_table.h"
#include "protocol/glob_match.h"
#include "protocol/request_parser.h"
#include "sentinel/io/port/sentinel_command_table.h"

namespace sp::sentinel::io {
namespace {

// Redis's default output limit for Pub/Sub clients (client-output-buffer-limit pubsub
// 32mb): a subscriber that does not read is cut off rather than held in memory.
constexpr std::size_t kMaxOutput = 32 * 1024 * 1024;

}  // namespace

class SentinelPort::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(asio::ip::tcp::socket socket, SentinelPort& port, std::uint64_t id)
      : stream_(std::move(socket)),
        wake_writer_(stream_.get_executor()),
        pause_timer_(stream_.get_executor()),
        port_(port) {
    client_.id = id;
    client_.authenticated = !port.requires_auth_;
    std::error_code ec;
    const auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) client_.address = remote.address().to_string() + ":" + std::to_string(remote.port());
    const auto local = stream_.socket().local_endpoint(ec);
    if (!ec) {
      client_.local_address = local.address().to_string() + ":" + std::to_string(local.port());
    }
    client_.fd = static_cast<int>(stream_.socket().native_handle());
  }

  PortClient& client() { return client_; }
  const PortClient& client() const { return client_; }
  bool closed() const { return closed_; }
  void wake_paused() { pause_timer_.cancel(); }
  // CLIENT KILL: the asking client closes after its reply, any other at once.
  void kill(bool is_self) {
    if (is_self) {
      client_.close_after_reply = true;
    } else {
      close();
    }
  }

  // The handshake first on the TLS port (`tls`), then the reader and the writer.
  static asio::awaitable<void> run(std::shared_ptr<Session> self, bool tls);
  static asio::awaitable<void> read_loop(std::shared_ptr<Session> self);
  static asio::awaitable<void> write_loop(std::shared_ptr<Session> self);

  void deliver(std::string_view channel, std::string_view message);
  void close();

 private:
  AfterReply execute(std::span<const std::string_view> args);
  bool handle_pubsub(std::span<const std::string_view> args);
  void subscribe(std::span<const std::string_view> names, bool pattern);
  void unsubscribe(std::span<const std::string_view> names, bool pattern);
  void subscription_reply(std::string_view kind, const std::string* name);
  std::size_t subscriptions() const { return client_.channels.size() + client_.patterns.size(); }
  void flush() { wake_writer_.cancel(); }

  Stream stream_;
  asio::steady_timer wake_writer_;
  asio::steady_timer pause_timer_;  // CLIENT PAUSE: waits for the end of the pause
  SentinelPort& port_;
  PortClient client_;
  std::string out_;
  bool closing_ = false;  // write what is queued, then close
  bool closed_ = false;
};

asio::awaitable<void> SentinelPort::Session::run(std::shared_ptr<Session> self, bool tls) {
  if (tls) {
    constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
    const std::error_code ec = co_await self->stream_.accept_tls(
        *self->port_.tls_, std::chrono::steady_clock::now() + kHandshakeTimeout);
    if (ec) {
      spdlog::debug("sentinel port: client {}: TLS handshake failed: {}", self->client_.address,
                    ec.message());
      self->close();
      co_return;
    }
  }
  if (self->closed_) co_return;
  asio::co_spawn(self->port_.executor_, write_loop(self),
                 LogStrayException{"sentinel port writer"});
  co_await read_loop(self);
}

asio::awaitable<void> SentinelPort::Session::read_loop(std::shared_ptr<Session> self) {
  protocol::RequestParser parser;
  std::string in;
  char chunk[16 * 1024];
  while (!self->closed_ && !self->closing_) {
    auto [ec, n] = co_await self->stream_.read_some(asio::buffer(chunk));
    // A read done before close() (stop_accepting for an upgrade) is dropped: the engine
    // is paused and must not be asked anything.
    if (ec || self->closed_) break;
    self->port_.stats_.net_input_bytes += n;
    ++self->port_.stats_.reads_processed;
    in.append(chunk, n);
    std::size_t used = 0;
    while (!self->closing_ && used < in.size()) {
      // Redis's unauthenticated limits, decided per request: an AUTH pipelined ahead lifts
      // them for what follows it.
      parser.set_unauthenticated(!self->client_.authenticated);
      const auto r = parser.parse(std::string_view(in).substr(used));
      if (r.status == protocol::ParseStatus::kNeedMore) break;
      if (r.status == protocol::ParseStatus::kError) {
        protocol::RespWriter(self->out_).error("ERR " + parser.error_message());
        self->closing_ = true;
        break;
      }
      used += r.consumed;
      self->client_.query_buffer = in.size() - used;
      // The parsed arguments point into `in`, which is not touched while paused.
      while (!parser.args().empty() && self->port_.paused_for(parser.args()) && !self->closed_) {
        self->flush();
        self->pause_timer_.expires_at(self->port_.paused_until_);
        co_await self->pause_timer_.async_wait(use_nothrow);
      }
      if (self->closed_) break;
      if (!parser.args().empty() && self->execute(parser.args()) == AfterReply::kClose) {
        self->closing_ = true;
      }
    }
    in.erase(0, used);
    self->client_.query_buffer = in.size();
    self->client_.output_buffer = self->out_.size();
    self->flush();
  }
  if (!self->closing_) self->close();
}

asio::awaitable<void> SentinelPort::Session::write_loop(std::shared_ptr<Session> self) {
  std::string writing;
  while (!self->closed_) {
    if (self->out_.empty()) {
      if (self->closing_) break;
      self->wake_writer_.expires_at(asio::steady_timer::time_point::max());
      co_await self->wake_writer_.async_wait(use_nothrow);
      continue;
    }
    writing.clear();
    writing.swap(self->out_);
    auto [ec, n] = co_await self->stream_.write_all(asio::buffer(writing));
    if (ec) break;
    self->port_.stats_.net_output_bytes += n;
    ++self->port_.stats_.writes_processed;
    self->client_.output_buffer = self->out_.size();
  }
  self->close();
}

void SentinelPort::Session::close() {
  if (closed_) return;
  closed_ = true;
  std::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close(ignored);
  wake_writer_.cancel();
}

AfterReply SentinelPort::Session::execute(std::span<const std::string_view> args) {
  ++port_.stats_.commands_processed;
  client_.last_interaction = std::chrono::steady_clock::now();
  // As CLIENT LIST shows it: "client|list" for a known subcommand of a container.
  const SentinelCommandSpec* spec = sentinel_command_for(args);
  client_.last_command = spec != nullptr ? std::string(spec->name) : protocol::to_lower(args[0]);
  const std::size_t reply_at = out_.size();
  AfterReply after = AfterReply::kKeepOpen;
  // With requirepass, nothing but AUTH (and HELLO, which can authenticate) runs before
  // the client authenticated (Redis's rule; Pub/Sub included).
  if (!client_.authenticated && !protocol::iequals(args[0], "auth") &&
      !protocol::iequals(args[0], "hello")) {
    protocol::RespWriter(out_, client_.resp).error("NOAUTH Authentication required.");
  } else if ((!port_.gate_ || port_.gate_(client_, args, out_)) && !handle_pubsub(args)) {
    after = port_.handler_(client_, args, out_);
  }
  if (out_.size() > reply_at && out_[reply_at] == '-') ++port_.stats_.error_replies;
  using ReplyMode = PortClient::ReplyMode;
  if (client_.reply_mode == ReplyMode::kOff || client_.reply_mode == ReplyMode::kSkipNext) {
    out_.resize(reply_at);
    if (client_.reply_mode == ReplyMode::kSkipNext) client_.reply_mode = ReplyMode::kOn;
  } else if (client_.reply_mode == ReplyMode::kSkip) {
    client_.reply_mode = ReplyMode::kSkipNext;  // CLIENT REPLY SKIP itself has no reply
    out_.resize(reply_at);
  }
  if (client_.close_after_reply) after = AfterReply::kClose;
  return after;
}

// Pub/Sub lives here because the port owns the subscriber lists. Returns false for any
// command that is not part of it, which then goes to the handler.
bool SentinelPort::Session::handle_pubsub(std::span<const std::string_view> args) {
  using protocol::iequals;
  const std::string_view name = args[0];
  const auto rest = args.subspan(1);
  const bool resp2_subscribed =
      subscriptions() > 0 && client_.resp == protocol::RespVersion::kResp2;
  if (iequals(name, "subscribe") || iequals(name, "psubscribe")) {
    if (rest.empty()) return false;  // the handler answers the arity error
    subscribe(rest, iequals(name, "psubscribe"));
    return true;
  }
  if (iequals(name, "unsubscribe") || iequals(name, "punsubscribe")) {
    unsubscribe(rest, iequals(name, "punsubscribe"));
    return true;
  }
  if (!resp2_subscribed) return false;
  protocol::RespWriter w(out_, client_.resp);
  if (iequals(name, "ping")) {
    // In subscribed mode RESP2 clients get PING as a two-element array, as in Redis.
    w.array(2).bulk_string("pong").bulk_string(rest.empty() ? std::string_view() : rest[0]);
    return true;
  }
  if (iequals(name, "quit") || iequals(name, "reset")) return false;
  w.error("ERR Can't execute '" + protocol::to_lower(name) +
          "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
          "context");
  return true;
}

void SentinelPort::Session::subscription_reply(std::string_view kind, const std::string* name) {
  protocol::RespWriter w(out_, client_.resp);
  w.push(3).bulk_string(kind);
  if (name != nullptr) {
    w.bulk_string(*name);
  } else {
    w.null();
  }
  w.integer(static_cast<std::int64_t>(subscriptions()));
}

void SentinelPort::Session::subscribe(std::span<const std::string_view> names, bool pattern) {
  auto& set = pattern ? client_.patterns : client_.channels;
  for (std::string_view n : names) {
    const std::string name(n);
    set.insert(name);
    subscription_reply(pattern ? "psubscribe" : "subscribe", &name);
  }
}

void SentinelPort::Session::unsubscribe(std::span<const std::string_view> names, bool pattern) {
  auto& set = pattern ? client_.patterns : client_.channels;
  const std::string_view kind = pattern ? "punsubscribe" : "unsubscribe";
  if (names.empty()) {
    if (set.empty()) subscription_reply(kind, nullptr);
    while (!set.empty()) {
      const std::string name = *set.begin();
      set.erase(set.begin());
      subscription_reply(kind, &name);
    }
    return;
  }
  for (std::string_view n : names) {
    const std::string name(n);
    set.erase(name);
    subscription_reply(kind, &name);
  }
}

void SentinelPort::Session::deliver(std::string_view channel, std::string_view message) {
  if (closed_) return;
  protocol::RespWriter w(out_, client_.resp);
  if (client_.channels.contains(channel)) {
    w.push(3).bulk_string("message").bulk_string(channel).bulk_string(message);
  }
  for (const std::string& pattern : client_.patterns) {
    if (protocol::glob_match(pattern, channel)) {
      w.push(4)
          .bulk_string("pmessage")
          .bulk_string(pattern)
          .bulk_string(channel)
          .bulk_string(message);
    }
  }
  if (out_.size() > kMaxOutput) {
    spdlog::warn("sentinel port: client {} exceeded the Pub/Sub output limit, closing it",
                 client_.address);
    close();
    return;
  }
  flush();
}

SentinelPort::SentinelPort(asio::any_io_executor executor, CommandHandler handler)
    : executor_(executor),
      acceptor_(executor),
      tls_acceptor_(executor),
      handler_(std::move(handler)) {}

SentinelPort::~SentinelPort() {
  close();
}

void SentinelPort::open(const std::string& bind, std::uint16_t port) {
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(bind), port);
  std::error_code ec;
  listen_on(acceptor_, endpoint, asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::system_error(ec, "cannot listen on " + bind + ":" + std::to_string(port));
}

void SentinelPort::open_tls(const std::string& bind, std::uint16_t port,
                            std::shared_ptr<tls::TlsStore> tls) {
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(bind), port);
  std::error_code ec;
  listen_on(tls_acceptor_, endpoint, asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::system_error(ec, "cannot listen on " + bind + ":" + std::to_string(port));
  tls_ = std::move(tls);
}

void SentinelPort::start_accepting() {
  if (accepting_ || (!acceptor_.is_open() && !tls_acceptor_.is_open())) return;
  accepting_ = true;
  ++accept_loop_;
  if (acceptor_.is_open()) accept_loop_start(acceptor_);
  if (tls_acceptor_.is_open()) accept_loop_start(tls_acceptor_);
}

void SentinelPort::stop_accepting() {
  accepting_ = false;
  std::error_code ignored;
  acceptor_.cancel(ignored);
  tls_acceptor_.cancel(ignored);
  close_sessions();
}

std::uint16_t SentinelPort::port() const {
  std::error_code ec;
  return (acceptor_.is_open() ? acceptor_ : tls_acceptor_).local_endpoint(ec).port();
}

void SentinelPort::accept_loop_start(asio::ip::tcp::acceptor& acceptor) {
  // An accept of an earlier loop (stopped by stop_accepting) may complete late: it ends
  // there, so that one loop runs at a time.
  acceptor.async_accept([this, &acceptor, loop = accept_loop_](const std::error_code& ec,
                                                               asio::ip::tcp::socket socket) {
    // Closed (`this` may be gone) or stopped.
    if (ec == asio::error::operation_aborted) return;
    std::error_code ignored;
    if (!accepting_ || loop != accept_loop_) {
      socket.close(ignored);
      return;
    }
    if (ec) {
      spdlog::warn("sentinel port: accept failed: {}", ec.message());
      accept_loop_start(acceptor);
      return;
    }
    socket.set_option(asio::ip::tcp::no_delay(true), ignored);
    sp::set_tcp_keepalive(socket.native_handle(), tcp_keepalive_);
    const bool tls = &acceptor == &tls_acceptor_;
    // mirrors acceptCommonHandler: over maxclients the client gets Redis's error, written
    // best-effort on the fresh socket (its buffer is empty), and is closed at once (on
    // the TLS port only closed: the line would not be TLS).
    if (clients() >= max_clients_) {
      ++stats_.rejected_connections;
      static constexpr std::string_view kFull = "-ERR max number of clients reached\r\n";
      socket.non_blocking(true, ignored);
      if (!tls) socket.write_some(asio::buffer(kFull.data(), kFull.size()), ignored);
      socket.close(ignored);
      accept_loop_start(acceptor);
      return;
    }
    ++stats_.connections_received;
    auto session = std::make_shared<Session>(std::move(socket), *this, next_client_id_++);
    sessions_.remove_if([](const auto& weak) { return weak.expired(); });
    sessions_.push_back(session);
    asio::co_spawn(executor_, Session::run(session, tls),
                   LogStrayException{"sentinel port session"});
    accept_loop_start(acceptor);
  });
}

void SentinelPort::publish(std::string_view channel, std::string_view message) {
  for (const auto& weak : sessions_) {
    if (auto session = weak.lock()) session->deliver(channel, message);
  }
}

std::size_t SentinelPort::clients() const {
  std::size_t n = 0;
  for (const auto& weak : sessions_) n += weak.expired() ? 0 : 1;
  return n;
}

std::vector<const PortClient*> SentinelPort::client_list() const {
  std::vector<const PortClient*> list;
  for (const auto& weak : sessions_) {
    if (auto session = weak.lock(); session && !session->closed()) {
      list.push_back(&session->client());
    }
  }
  return list;
}

std::size_t SentinelPort::kill(const std::function<bool(const PortClient&)>& match,
                               PortClient& self, bool include_self) {
  std::size_t killed = 0;
  // Collect first: closing a session may drop the last reference to it.
  std::vector<std::shared_ptr<Session>> selected;
  for (const auto& weak : sessions_) {
    auto session = weak.lock();
    if (!session || session->closed() || !match(session->client())) continue;
    if (&session->client() == &self && !include_self) continue;
    selected.push_back(std::move(session));
  }
  for (const auto& session : selected) {
    session->kill(&session->client() == &self);
    ++killed;
  }
  return killed;
}

bool SentinelPort::has_client(std::uint64_t id) const {
  for (const PortClient* client : client_list()) {
    if (client->id == id) return true;
  }
  return false;
}

void SentinelPort::pause(PauseMode mode, std::chrono::steady_clock::time_point until) {
  // A second pause extends, never shortens, and ALL wins over WRITE (Redis's rule).
  if (pause_mode_ == PauseMode::kNone || until > paused_until_) paused_until_ = until;
  if (mode == PauseMode::kAll || pause_mode_ == PauseMode::kNone) pause_mode_ = mode;
}

void SentinelPort::unpause() {
  pause_mode_ = PauseMode::kNone;
  for (const auto& weak : sessions_) {
    if (auto session = weak.lock()) session->wake_paused();
  }
}

bool SentinelPort::paused_for(std::span<const std::string_view> args) const {
  if (pause_mode_ == PauseMode::kNone || std::chrono::steady_clock::now() >= paused_until_) {
    return false;
  }
  if (pause_mode_ == PauseMode::kAll) return true;
  // WRITE pauses what writes or may replicate (no command of a Sentinel 7.0 does).
  const SentinelCommandSpec* spec = sentinel_command_for(args);
  return spec != nullptr && (spec->has_flag("write") || spec->has_flag("may_replicate"));
}

void SentinelPort::close() {
  accepting_ = false;
  std::error_code ignored;
  acceptor_.close(ignored);
  tls_acceptor_.close(ignored);
  close_sessions();
}

void SentinelPort::close_sessions() {
  for (const auto& weak : sessions_) {
    if (auto session = weak.lock()) session->close();
  }
}

}  // namespace sp::sentinel::io

#include "sentinel/io/shell/engine_shell.h"

#include <spdlog/spdlog.h>

#include <asio/post.hpp>

#include <type_traits>
#include <utility>

#include "sentinel/hello.h"
#include "sentinel/script_triggers.h"

namespace sp::sentinel::io {
namespace {

constexpr std::string_view kHelloChannel = "__sentinel__:hello";

// Redis's levels as the logger's (proxy/config/logging.cc maps them back to Redis's marks).
spdlog::level::level_enum log_level_of(NoticeLevel level) {
  switch (level) {
    case NoticeLevel::kWarning:
      return spdlog::level::warn;
    case NoticeLevel::kNotice:
      return spdlog::level::info;
    case NoticeLevel::kVerbose:
      return spdlog::level::debug;
    case NoticeLevel::kDebug:
      return spdlog::level::trace;
  }
  return spdlog::level::info;
}

std::string link_key(const Endpoint& e) {
  return e.group + "/" + std::string(to_string(e.kind)) + "/" + e.addr.to_string();
}

PingReplyKind ping_reply_kind(const protocol::Value& reply) {
  if (!reply.is_error()) {
    return reply.text == "PONG" ? PingReplyKind::kPong : PingReplyKind::kOtherError;
  }
  const std::string_view text = reply.text;
  if (text.starts_with("LOADING")) return PingReplyKind::kLoading;
  if (text.starts_with("MASTERDOWN")) return PingReplyKind::kMasterDown;
  if (text.starts_with("BUSY")) return PingReplyKind::kBusy;
  return PingReplyKind::kOtherError;
}

// A well-formed is-master-down-by-addr answer is [integer, bulk string, integer];
// anything else only counts as a reply (§12.9).
std::optional<MasterDownReply> master_down_reply(const Endpoint& from,
                                                 const protocol::Value& reply) {
  using protocol::RespType;
  if (reply.type != RespType::kArray || reply.elements.size() != 3) return std::nullopt;
  const auto& e = reply.elements;
  if (e[0].type != RespType::kInteger || e[1].type != RespType::kBulkString || e[1].null ||
      e[2].type != RespType::kInteger) {
    return std::nullopt;
  }
  return MasterDownReply{from, e[0].integer == 1, e[1].text,
                         static_cast<std::uint64_t>(e[2].integer)};
}

}  // namespace

EngineShell::EngineShell(asio::any_io_executor executor, EngineConfig config,
                         std::optional<PersistedState> persisted, ShellConfig shell_config,
                         ShellCallbacks callbacks)
    : executor_(executor),
      tick_timer_(executor),
      shell_config_(std::move(shell_config)),
      callbacks_(std::move(callbacks)),
      engine_(std::move(config), std::move(persisted), std::random_device{}(), now()),
      resolver_(executor) {
  engine_.set_host_resolver([this](std::string_view host) { return hosts_.lookup(host); });
}

EngineShell::~EngineShell() {
  stop();
}

TimePoint wall_clock_now() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return TimePoint(std::chrono::duration_cast<Duration>(since_epoch));
}

void EngineShell::start() {
  engine_.start_ticking(now());
  begin();
}

void EngineShell::begin() {
  stopped_ = false;
  run_actions();  // a fresh id is persisted before anything else happens
  schedule_tick();
}

void EngineShell::stop() {
  stopped_ = true;
  tick_timer_.cancel();
  resolver_.cancel();
  // Closing a link runs its close handler, which looks the link up: take them out first.
  auto links = std::move(links_);
  links_.clear();
  for (auto& [key, pair] : links) {
    if (pair.command) pair.command->close();
    if (pair.pubsub) pair.pubsub->close();
  }
}

void EngineShell::pause() {
  paused_links_.clear();
  for (const auto& [key, pair] : links_) paused_links_.push_back(pair.to);
  stop();
}

void EngineShell::resume() {
  stopped_ = false;
  for (const Endpoint& e : std::exchange(paused_links_, {})) {
    engine_.on_event(LinkDisconnected{e}, now());
  }
  // Paused for a while: a TILT now is as after any stall (the view may be stale).
  begin();
}

void EngineShell::schedule_tick() {
  if (stopped_) return;
  tick_timer_.expires_after(std::chrono::milliseconds(50 + jitter_() % 51));
  tick_timer_.async_wait([this](const std::error_code& ec) {
    if (ec || stopped_) return;
    engine_.tick(now());
    run_actions();
    schedule_tick();
  });
}

void EngineShell::run_actions() {
  // Executing an action can produce events (a link that fails at once), which produce
  // more actions: drain until the engine has nothing left to say.
  ++running_actions_;
  for (auto actions = engine_.take_actions(); !actions.empty(); actions = engine_.take_actions()) {
    for (const Action& action : actions) execute(action);
  }
  // Only once the outermost batch is done: every notice of the call (the failover history
  // records a promotion from one) goes out before the view it changed.
  if (--running_actions_ == 0) {
    hellos_rejected_.store(engine_.hellos_rejected(), std::memory_order_relaxed);
    hand_on_served_view();
  }
}

void EngineShell::hand_on_served_view() {
  if (!callbacks_.on_served_view || shell_config_.served_group.empty()) return;
  auto view = served_view(engine_, shell_config_.served_group, now());
  if (!view || view == served_view_) return;
  served_view_ = view;
  callbacks_.on_served_view(*view);
}

void EngineShell::deliver(const Event& event) {
  if (stopped_) return;
  engine_.on_event(event, now());
  run_actions();
}

// For events that arise while actions are being executed: delivering them at once would
// run newer actions in the middle of the current batch.
void EngineShell::deliver_later(Event event) {
  asio::post(executor_, [alive = std::weak_ptr<int>(alive_), this, e = std::move(event)] {
    if (alive.lock()) deliver(e);
  });
}

void EngineShell::execute(const Action& action) {
  std::visit(
      [this](const auto& a) {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, Connect>) {
          connect(a);
        } else if constexpr (std::is_same_v<T, Disconnect>) {
          disconnect(a.to);
        } else if constexpr (std::is_same_v<T, SendPing>) {
          send(a.to, {a.command}, [to = a.to](const protocol::Value& r) -> Event {
            return PingReply{to, ping_reply_kind(r)};
          });
        } else if constexpr (std::is_same_v<T, SendInfo>) {
          send(a.to, {a.command}, [to = a.to](const protocol::Value& r) -> Event {
            if (r.type == protocol::RespType::kBulkString && !r.null) return InfoReply{to, r.text};
            return CommandReply{to};
          });
        } else if constexpr (std::is_same_v<T, PublishHello>) {
          publish_hello(a);
        } else if constexpr (std::is_same_v<T, AskMasterDown> || std::is_same_v<T, SendCommand>) {
          send(a.to, a.args, [to = a.to](const protocol::Value& r) -> Event {
            if (auto down = master_down_reply(to, r)) return *down;
            return CommandReply{to};
          });
        } else if constexpr (std::is_same_v<T, SendReplicaOf>) {
          // The engine counts the transaction as one command: only EXEC's reply reports.
          for (std::size_t i = 0; i + 1 < a.commands.size(); ++i) {
            if (RespLink* link = command_link(a.to)) link->send(a.commands[i], [](auto*) {});
          }
          send(a.to, a.commands.back(),
               [to = a.to](const protocol::Value&) -> Event { return CommandReply{to}; });
        } else if constexpr (std::is_same_v<T, SwitchMaster>) {
          // Carried to the proxy by the served view, computed after the batch.
        } else if constexpr (std::is_same_v<T, PersistState>) {
          if (callbacks_.persist) callbacks_.persist(a.state);
        } else if constexpr (std::is_same_v<T, Notice>) {
          // At the level redis-sentinel logs the event (# for the failover's milestones),
          // so that `loglevel warning` keeps what it keeps.
          spdlog::log(log_level_of(notice_level(a.kind)), "{} {}", to_string(a.kind), to_text(a));
          if (callbacks_.on_notice) callbacks_.on_notice(a);
        }
      },
      action);
}

std::string EngineShell::client_name(std::string_view role) const {
  return "sentinel-" + engine_.myid().substr(0, 8) + "-" + std::string(role);
}

void EngineShell::connect(const Connect& c) {
  disconnect(c.to);
  std::string user = c.auth_user, pass = c.auth_pass;
  if (c.to.kind == InstanceKind::kSentinel) {
    user = shell_config_.sentinel_pass.empty() ? "" : shell_config_.sentinel_user;
    pass = shell_config_.sentinel_pass.empty() ? shell_config_.requirepass
                                               : shell_config_.sentinel_pass;
  }
  auto open = [&](std::string_view role) {
    auto link = RespLink::create(executor_, link_key(c.to) + "/" + std::string(role));
    // Pipelined at once (queued until the link is started); their replies are not looked
    // at (AUTH failures just make the instance look down), as Sentinel does.
    if (!pass.empty()) {
      std::vector<std::string> auth = {"AUTH"};
      if (!user.empty()) auth.push_back(user);
      auth.push_back(pass);
      link->send(auth, [](auto*) {});
    }
    link->send(std::vector<std::string>{"CLIENT", "SETNAME", client_name(role)}, [](auto*) {});
    return link;
  };
  LinkPair& pair = links_[link_key(c.to)];
  pair.to = c.to;
  pair.command = open("cmd");
  if (c.to.kind != InstanceKind::kSentinel) {
    pair.pubsub = open("pubsub");
    // A refused SUBSCRIBE (wrong or obsolete credentials: -NOAUTH, -NOPERM) is, under
    // Sentinel, a reply hiredis has no callback for, and hiredis drops the connection: the
    // link is down (`disconnected`) until a reconnect with working credentials. Dropped
    // from the executor, not from inside the link's own reply handler.
    std::weak_ptr<RespLink> weak = pair.pubsub;
    pair.pubsub->send(
        std::vector<std::string>{"SUBSCRIBE", std::string(kHelloChannel)},
        [this, alive = std::weak_ptr<int>(alive_), to = c.to, weak](const protocol::Value* r) {
          if (r == nullptr || !r->is_error()) return;
          spdlog::debug("SUBSCRIBE refused by {}: {}", to.addr.to_string(), r->text);
          asio::post(executor_, [this, alive, to, weak] {
            if (alive.lock()) link_failed(to, weak.lock());
          });
        });
  }
  const std::string& host = c.to.addr.host();
  if (is_ip_literal(host)) {
    start_links(c.to, host);
  } else if (!engine_.config().hostnames.resolve && !c.to.addr.ip.empty()) {
    // resolve-hostnames was turned off at run time: Sentinel keeps the last IP.
    start_links(c.to, c.to.addr.ip);
  } else {
    resolve_then_start(c.to);
  }
}

// A hostname is resolved again before each connection, as Sentinel does before each
// reconnect: the instance may have come back under another IP.
void EngineShell::resolve_then_start(const Endpoint& to) {
  const std::string host = to.addr.host();
  std::weak_ptr<RespLink> command = links_[link_key(to)].command;
  resolver_.async_resolve(
      host, std::to_string(to.addr.port), asio::ip::tcp::resolver::flags(),
      [this, alive = std::weak_ptr<int>(alive_), to, host, command](
          const std::error_code& ec, const asio::ip::tcp::resolver::results_type& results) {
        // An answer may already be queued when the shell goes away.
        if (!alive.lock() || ec == asio::error::operation_aborted || stopped_) return;
        const auto it = links_.find(link_key(to));
        const auto link = command.lock();
        if (it == links_.end() || !link || it->second.command != link) return;  // superseded
        if (ec || results.empty()) {
          spdlog::debug("cannot resolve {}: {}", host, ec ? ec.message() : "no address");
          link_failed(to, link);
          return;
        }
        const std::string ip = results.begin()->endpoint().address().to_string();
        hosts_.remember(host, ip);
        start_links(to, ip);
        deliver(HostResolved{to, ip});
      });
}

void EngineShell::start_links(const Endpoint& to, const std::string& ip) {
  const auto it = links_.find(link_key(to));
  if (it == links_.end()) return;
  auto start = [&](const std::shared_ptr<RespLink>& link, RespLink::MessageHandler on_message) {
    std::weak_ptr<RespLink> weak = link;
    link->start(
        ip, static_cast<std::uint16_t>(to.addr.port), shell_config_.connect_timeout,
        std::move(on_message),
        [this, to, weak](const std::error_code&) { link_failed(to, weak.lock()); },
        shell_config_.tls.get());
  };
  // Copies: starting a link that fails at once runs link_failed, which erases the entry.
  const LinkPair pair = it->second;
  start(pair.command, nullptr);
  if (pair.pubsub) {
    start(pair.pubsub, [this](const protocol::Value& message) {
      if (message.elements.size() == 3) deliver(HelloReceived{message.elements[2].text, true});
    });
  }
}

void EngineShell::disconnect(const Endpoint& e) {
  const auto it = links_.find(link_key(e));
  if (it == links_.end()) return;
  LinkPair pair = std::move(it->second);
  links_.erase(it);
  // Closing runs the close handlers, which find no entry any more and stay quiet: the
  // engine asked for this and expects no event back.
  if (pair.command) pair.command->close();
  if (pair.pubsub) pair.pubsub->close();
}

void EngineShell::link_failed(const Endpoint& e, const std::shared_ptr<RespLink>& which) {
  const auto it = links_.find(link_key(e));
  if (it == links_.end() || !which) return;
  if (it->second.command != which && it->second.pubsub != which) return;  // an older link
  disconnect(e);
  if (!stopped_) {
    spdlog::debug("link to {} {} closed", to_string(e.kind), e.addr.to_string());
    deliver(LinkDisconnected{e});
  }
}

RespLink* EngineShell::command_link(const Endpoint& e) {
  const auto it = links_.find(link_key(e));
  return it == links_.end() ? nullptr : it->second.command.get();
}

void EngineShell::send(const Endpoint& to, std::vector<std::string> args,
                       std::function<Event(const protocol::Value&)> to_event) {
  RespLink* link = command_link(to);
  if (link == nullptr) return;  // the engine will learn of the closed link separately
  link->send(args, [this, to_event = std::move(to_event)](const protocol::Value* reply) {
    if (reply != nullptr) deliver(to_event(*reply));
  });
}

void EngineShell::publish_hello(const PublishHello& p) {
  RespLink* link = command_link(p.to);
  if (link == nullptr) return;
  std::string payload = p.payload;
  if (p.hello.sentinel_ip.empty()) {
    // Without announce-ip a sentinel announces the local address of this connection.
    Hello hello = p.hello;
    hello.sentinel_ip = link->local_ip();
    if (hello.sentinel_ip.empty()) {
      // Not connected yet: settle the engine's pending count; the next period retries.
      deliver_later(CommandReply{p.to});
      return;
    }
    payload = format_hello(hello);
  }
  send(p.to, {p.command, std::string(kHelloChannel), payload},
       [to = p.to](const protocol::Value& r) -> Event {
         return PublishReply{to, !r.is_error()};
       });
}

}  // namespace sp::sentinel::io

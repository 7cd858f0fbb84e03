#include "proxy/follow/sentinel_follower.h"

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/this_coro.hpp>

#include "common/asio_util.h"
#include "common/tls/tls_store.h"
#include "proxy/follow/followed_hold.h"

namespace sp::proxy {
namespace {

using Clock = std::chrono::steady_clock;

// Subscriptions are (re)made at most this often, so a group of dead sentinels costs a
// few connection attempts a second, not a busy loop.
constexpr auto kReconnectEvery = std::chrono::seconds(1);
// The subscription is PINGed this often when silent: a sentinel behind a partition would
// otherwise look like a quiet one for as long as TCP keeps the connection.
constexpr auto kTick = std::chrono::seconds(1);
// Sentinel's default, when SENTINEL master does not say.
constexpr auto kDefaultFailoverTimeout = std::chrono::milliseconds(180'000);

std::string address_of(const HostPort& a) {
  return a.host + ":" + std::to_string(a.port);
}

// The ROLE check every new master passes before sessions are sent to it. Returns the
// address it answered on, or "" and why not.
asio::awaitable<std::string> confirm_master(const FollowSettings& settings, const HostPort& master,
                                            std::string& why) {
  ControlLink link(co_await asio::this_coro::executor, settings.tls.get());
  if (auto ec = co_await link.connect(master.host, master.port, settings.timeout)) {
    why = ec.message();
    co_return "";
  }
  const std::string role_command = ControlLink::command({"ROLE"});
  auto [ec, role] = co_await link.call(role_command, Clock::now() + settings.timeout);
  if (ec) {
    why = "ROLE: " + ec.message();
    co_return "";
  }
  if (!role_is_master(role)) {
    why = "it does not answer ROLE as master";
    co_return "";
  }
  co_return link.remote_ip();
}

// One sentinel's answer: the master it names and its config epoch, or why not.
asio::awaitable<std::optional<FollowedMaster>> ask_sentinel(const FollowSettings& settings,
                                                            const HostPort& sentinel,
                                                            std::string& why) {
  ControlLink link(co_await asio::this_coro::executor, settings.tls.get());
  if (auto ec = co_await link.connect(sentinel.host, sentinel.port, settings.timeout)) {
    why = ec.message();
    co_return std::nullopt;
  }
  const auto deadline = Clock::now() + settings.timeout;
  if (auto ec = co_await link.authenticate(settings.user, settings.pass, deadline)) {
    why = "AUTH: " + ec.message();
    co_return std::nullopt;
  }
  const std::string addr_command =
      ControlLink::command({"SENTINEL", "get-master-addr-by-name", settings.name});
  auto [ec, addr] = co_await link.call(addr_command, deadline);
  const auto master = ec ? std::nullopt : master_addr_of(addr);
  if (!master) {
    why = ec                ? ec.message()
          : addr.is_error() ? addr.text
                            : "it does not know '" + settings.name + "'";
    co_return std::nullopt;
  }
  const std::string master_command = ControlLink::command({"SENTINEL", "master", settings.name});
  auto [fields_ec, fields] = co_await link.call(master_command, deadline);
  const auto epoch = fields_ec ? std::nullopt : uint_field_of(fields, "config-epoch");
  if (!epoch) {
    why = "SENTINEL master: " + (fields_ec ? fields_ec.message() : "no config-epoch");
    co_return std::nullopt;
  }
  FollowedMaster found;
  found.ip = master->host;
  found.port = master->port;
  found.config_epoch = *epoch;
  const auto timeout = uint_field_of(fields, "failover-timeout");
  found.failover_timeout = timeout ? std::chrono::milliseconds(*timeout) : kDefaultFailoverTimeout;
  found.going_away = master_going_away(fields);
  co_return found;
}

}  // namespace

FollowSettings FollowSettings::of(const Config& config) {
  FollowSettings settings;
  settings.name = config.follow_name;
  for (const auto& address : config.follow_sentinels) {
    if (auto sentinel = split_host_port(address)) settings.sentinels.push_back(*sentinel);
  }
  settings.user = config.follow_user;
  settings.pass = config.follow_pass;
  settings.timeout = config.connect_timeout;
  if (config.tls.replication) {
    settings.tls = std::make_shared<tls::TlsStore>(config.tls, /*serve=*/false, /*connect=*/true);
  }
  return settings;
}

asio::awaitable<std::optional<FollowedMaster>> find_master(const FollowSettings& settings,
                                                           std::size_t first, TopologyPtr current,
                                                           std::string& why) {
  why.clear();
  const std::size_t n = settings.sentinels.size();
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t index = (first + k) % n;
    const HostPort& sentinel = settings.sentinels[index];
    std::string reason;
    auto found = co_await ask_sentinel(settings, sentinel, reason);
    if (found) {
      const bool other =
          !current || found->ip != current->master_ip || found->port != current->master_port;
      if (current && other && found->config_epoch <= current->epoch) {
        reason = "it names " + found->ip + ":" + std::to_string(found->port) + " at config epoch " +
                 std::to_string(found->config_epoch) + ", not newer than the current one (" +
                 std::to_string(current->epoch) + ")";
        found.reset();
      } else {
        const HostPort named{found->ip, found->port};  // not a temporary: see find_at_start
        const std::string ip = co_await confirm_master(settings, named, reason);
        if (ip.empty()) {
          reason = found->ip + ":" + std::to_string(found->port) + ": " + reason;
          found.reset();
        } else {
          found->ip = ip;
          found->sentinel = index;
          co_return found;
        }
      }
    }
    why += (why.empty() ? "" : "; ") + address_of(sentinel) + ": " + reason;
  }
  co_return std::nullopt;
}

SentinelFollower::SentinelFollower(asio::any_io_executor executor, FollowSettings settings,
                                   TopologyRegistry& registry)
    : executor_(executor),
      settings_(std::move(settings)),
      registry_(registry),
      bridge_(registry, /*fence_on_minority=*/false),
      subscription_(executor, settings_.tls.get()),
      timer_(executor) {}

sentinel::ServedView SentinelFollower::view_of(const FollowedMaster& master) const {
  sentinel::ServedView view;
  view.group = settings_.name;
  view.master = sentinel::Address{master.ip, master.port};
  view.config_epoch = master.config_epoch;
  view.hold = master.going_away;
  return view;
}

void SentinelFollower::start(const FollowedMaster& master) {
  view_ = view_of(master);
  bridge_.apply(view_);
  asio::co_spawn(executor_, run(shared_from_this(), master.sentinel),
                 LogStrayException{"sentinel follower"});
}

void SentinelFollower::stop() {
  stopped_ = true;
  subscription_.close();
  timer_.cancel();
}

std::string SentinelFollower::followed() const {
  std::lock_guard lock(followed_mutex_);
  return followed_;
}

void SentinelFollower::set_followed(std::string address) {
  std::lock_guard lock(followed_mutex_);
  followed_ = std::move(address);
}

asio::awaitable<void> SentinelFollower::run(std::shared_ptr<SentinelFollower> self,
                                            std::size_t first) {
  const std::size_t n = self->settings_.sentinels.size();
  std::size_t index = first;
  auto last_attempt = Clock::time_point{};
  while (!self->stopped_) {
    if (Clock::now() < last_attempt + kReconnectEvery) {
      self->timer_.expires_at(last_attempt + kReconnectEvery);
      co_await self->timer_.async_wait(use_nothrow);
      if (self->stopped_) break;
    }
    last_attempt = Clock::now();
    const std::string sentinel = address_of(self->settings_.sentinels[index]);
    std::string why = co_await self->subscribe(self->settings_.sentinels[index]);
    if (why.empty()) {
      spdlog::info("following '{}' through sentinel {}", self->settings_.name, sentinel);
      self->set_followed(sentinel);
      co_await self->refresh(index);  // a switch may have happened while not subscribed
      why = co_await self->read_events(index);
      self->set_followed("");
    }
    if (self->stopped_) break;
    spdlog::warn("sentinel {}: {}; trying the next one", sentinel, why);
    index = (index + 1) % n;
  }
}

asio::awaitable<std::string> SentinelFollower::subscribe(const HostPort& sentinel) {
  if (auto ec = co_await subscription_.connect(sentinel.host, sentinel.port, settings_.timeout)) {
    co_return "cannot connect: " + ec.message();
  }
  const auto deadline = Clock::now() + settings_.timeout;
  if (auto ec = co_await subscription_.authenticate(settings_.user, settings_.pass, deadline)) {
    co_return "AUTH: " + ec.message();
  }
  // A sentinel that does not monitor the group would never announce its switches.
  const std::string ask =
      ControlLink::command({"SENTINEL", "get-master-addr-by-name", settings_.name});
  auto [ask_ec, addr] = co_await subscription_.call(ask, deadline);
  if (ask_ec) co_return "SENTINEL get-master-addr-by-name: " + ask_ec.message();
  if (!master_addr_of(addr)) {
    co_return addr.is_error() ? addr.text : "it does not monitor '" + settings_.name + "'";
  }
  // Sentinel's event names are its channels; -odown and -sdown end a hold.
  static constexpr std::string_view kChannels[] = {"+switch-master", "+odown", "-odown",
                                                   "+sdown",         "-sdown", "+try-failover"};
  const std::string subscribe =
      ControlLink::command({"SUBSCRIBE", kChannels[0], kChannels[1], kChannels[2], kChannels[3],
                            kChannels[4], kChannels[5]});
  if (auto ec = co_await subscription_.send(subscribe)) co_return "SUBSCRIBE: " + ec.message();
  for (std::size_t confirmed = 0; confirmed < std::size(kChannels); ++confirmed) {
    auto [ec, reply] = co_await subscription_.next_value(deadline);
    if (ec) co_return "SUBSCRIBE: " + ec.message();
    if (reply.is_error()) co_return "SUBSCRIBE: " + reply.text;
  }
  co_return "";
}

asio::awaitable<std::string> SentinelFollower::read_events(std::size_t index) {
  auto ping_sent = Clock::time_point{};
  while (!stopped_) {
    auto [ec, message] = co_await subscription_.next_value(Clock::now() + kTick);
    if (ec == asio::error::timed_out) {
      const auto now = Clock::now();
      if (ping_sent != Clock::time_point{} && now - ping_sent > settings_.timeout) {
        co_return "no reply to PING within " + std::to_string(settings_.timeout.count()) + " ms";
      }
      if (ping_sent == Clock::time_point{}) {
        const std::string ping = ControlLink::command({"PING"});
        if (auto send_ec = co_await subscription_.send(ping)) co_return send_ec.message();
        ping_sent = now;
      }
      if (recheck_) co_await refresh(index);
      continue;
    }
    if (ec) co_return "subscription lost: " + ec.message();
    ping_sent = Clock::time_point{};  // anything that arrives shows the link is alive
    if (auto event = event_of(message)) co_await on_event(*event, index);
  }
  co_return "stopped";
}

asio::awaitable<void> SentinelFollower::on_event(const SentinelEvent& event, std::size_t index) {
  if (event.type == "+switch-master") {
    const auto change = switch_master_of(event.text);
    if (!change || change->name != settings_.name) co_return;
    spdlog::warn("sentinel {}: +switch-master {}", address_of(settings_.sentinels[index]),
                 event.text);
    co_await refresh(index);
    co_return;
  }
  const auto notice = master_notice_of(event);
  const auto hold = notice ? followed_hold(*notice, view_) : std::nullopt;
  if (hold) {
    view_.hold = *hold;
    bridge_.apply(view_);
  } else if ((event.type == "+sdown" || event.type == "-sdown") &&
             event.text.starts_with("master " + settings_.name + " ")) {
    // One sentinel's own view holds nothing, but tells the operator what it sees.
    spdlog::info("sentinel {}: {} {}", address_of(settings_.sentinels[index]), event.type,
                 event.text);
  }
}

asio::awaitable<void> SentinelFollower::refresh(std::size_t first) {
  const TopologyPtr current = registry_.current();
  std::string why;
  const auto found = co_await find_master(settings_, first, current, why);
  if (!found) {
    if (!recheck_) spdlog::warn("no confirmed master for '{}' yet: {}", settings_.name, why);
    recheck_ = true;
    co_return;
  }
  recheck_ = false;
  // The sentinel's state now is what counts: the +odown or -odown that set or cleared the
  // hold may have gone to a subscription that broke since.
  view_ = view_of(*found);
  bridge_.apply(view_);
  const TopologyPtr now_routed = registry_.current();
  if (!now_routed || now_routed->master_ip != found->ip || now_routed->master_port != found->port) {
    recheck_ = true;  // a newer snapshot came meanwhile; ask again
  }
}

}  // namespace sp::proxy

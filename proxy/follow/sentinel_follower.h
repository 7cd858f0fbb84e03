#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include "proxy/config/config.h"
#include "proxy/follow/sentinel_answers.h"
#include "proxy/links/control_link.h"
#include "proxy/topology/served_view_bridge.h"
#include "proxy/topology/topology.h"
#include "proxy/topology/topology_registry.h"

namespace sp::tls {
class TlsStore;
}

namespace sp::proxy {

// Follow mode's settings, from `sentinel-follow` and its companions.
struct FollowSettings {
  std::string name;                 // the group the sentinels monitor
  std::vector<HostPort> sentinels;  // asked in this order
  std::string user;                 // AUTH to the sentinels, when `pass` is set
  std::string pass;
  std::chrono::milliseconds timeout{2000};  // each connection and each reply
  // tls-replication yes: the sentinels and the master are asked over TLS.
  std::shared_ptr<tls::TlsStore> tls;

  static FollowSettings of(const Config& config);
};

// A master the sentinels name and that answers ROLE as master.
struct FollowedMaster {
  std::string ip;  // resolved, as sessions connect to it
  std::uint16_t port = 0;
  std::uint64_t config_epoch = 0;                // SENTINEL master's config-epoch
  std::chrono::milliseconds failover_timeout{};  // the group's, for failover-hold-ms
  std::size_t sentinel = 0;                      // index of the sentinel that named it
  bool going_away = false;  // that sentinel finds it objectively down or fails it over
};

// Asks the sentinels in turn, from `first`, for the master of the group (SENTINEL
// get-master-addr-by-name, then SENTINEL master for its config epoch) and returns the first
// answer whose master answers ROLE as master. An answer that names another master than
// `current` at a config epoch not above current's is stale and skipped. nullopt, and each
// sentinel's reason in `why`, when none did.
asio::awaitable<std::optional<FollowedMaster>> find_master(const FollowSettings& settings,
                                                           std::size_t first, TopologyPtr current,
                                                           std::string& why);

// Follow mode's loop, on one executor: one subscription to a reachable sentinel for
// +switch-master and the down notices, a new master published (confirmed with ROLE, at
// the sentinels' config epoch) at each switch, clients held while the group finds the
// master objectively down; on a dropped subscription, the next sentinel (at most one
// attempt a second), and the master asked again, since a switch may have been missed.
class SentinelFollower : public std::enable_shared_from_this<SentinelFollower> {
 public:
  SentinelFollower(asio::any_io_executor executor, FollowSettings settings,
                   TopologyRegistry& registry);

  // Publishes `master` (found at start-up) and starts following from its sentinel.
  void start(const FollowedMaster& master);
  // On the executor: ends the loop (closes the subscription, stops the timer).
  void stop();

  // "host:port" of the sentinel followed now ("" when none), from any thread.
  std::string followed() const;

 private:
  static asio::awaitable<void> run(std::shared_ptr<SentinelFollower> self, std::size_t first);
  // Connects, authenticates and subscribes; "" on success, else why not.
  asio::awaitable<std::string> subscribe(const HostPort& sentinel);
  // Reads events until the subscription breaks; returns why it did.
  asio::awaitable<std::string> read_events(std::size_t index);
  asio::awaitable<void> on_event(const SentinelEvent& event, std::size_t index);
  // Asks the sentinels (from `first`) and publishes the master they name if it is new.
  asio::awaitable<void> refresh(std::size_t first);
  void set_followed(std::string address);
  sentinel::ServedView view_of(const FollowedMaster& master) const;

  asio::any_io_executor executor_;
  FollowSettings settings_;
  TopologyRegistry& registry_;
  ServedViewBridge bridge_;
  sentinel::ServedView view_;  // the followed sentinel's, as last heard
  ControlLink subscription_;
  asio::steady_timer timer_;
  bool stopped_ = false;
  bool recheck_ = false;  // the last refresh failed: ask again at the next tick
  mutable std::mutex followed_mutex_;
  std::string followed_;
};

}  // namespace sp::proxy

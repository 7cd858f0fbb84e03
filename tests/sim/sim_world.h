#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sentinel/rng.h"
#include "tests/sim/sim_network.h"
#include "tests/sim/sim_proxy.h"
#include "tests/sim/sim_proxy_ledger.h"
#include "tests/sim/sim_redis.h"
#include "tests/sim/sim_sentinel.h"

namespace sp::sentinel::sim {

inline constexpr const char* kGroup = "mymaster";

// Sentinels, Redis instances and the network between them, plus the safety
// invariants checked after every engine step:
//   - a sentinel never votes twice in one epoch (across restarts too);
//   - never two different replicas promoted in one epoch (SLAVEOF NO ONE sent
//     by a leader, and SwitchMaster announced by anyone);
//   - a sentinel's config epoch never decreases (across restarts too);
//   - the proxy invariants of ProxyLedger, for the proxy in each sentinel's process
//     and the client writing through it (sim_clients.cc).
class SimWorld {
 public:
  // `durability_replicas`: the proxies' write-durability (0: async; n: a write is
  // acknowledged only once n replicas following the master that took it confirmed it
  // within kDurabilityTimeout, as the WAIT behind it would say).
  SimWorld(std::uint64_t seed, int sentinels, int redis, GroupConfig group,
           ProxyVariant proxy_variant = ProxyVariant::kAsShipped, bool fence_on_minority = false,
           int durability_replicas = 0);
  static constexpr SimTime kDurabilityTimeout = 500;

  Rng& rng() { return rng_; }
  SimNetwork& net() { return net_; }
  std::vector<SimRedis>& redis() { return redis_; }
  std::vector<SimSentinel>& sentinels() { return sentinels_; }
  std::vector<SimProxy>& proxies() { return proxies_; }
  ProxyLedger& ledger() { return ledger_; }
  const std::string& failure() const { return failure_; }
  void fail(std::string message) {
    if (failure_.empty()) failure_ = std::move(message);
  }

  void run_until(SimTime until);
  void crash_sentinel(int i);
  void restart_sentinel(int i);
  void crash_redis(int i);
  void restart_redis(int i);
  int redis_at(const Address& addr) const;
  // Call after changing the network or a sentinel's clock: which proxies are cut off
  // from a majority of the sentinels, since when (for invariant (c)).
  void update_cut_off();
  int sentinel_at(const Address& addr) const;

 private:
  void schedule_tick(int i);
  void schedule_replication();
  void replication_step();
  void after_engine_call(int i);
  void route(int i, const Action& action);
  void check_notice(int i, const Notice& notice);
  void check_switch(SimTime epoch_key, const Address& addr, const char* what);
  void connect(int i, const Endpoint& to);
  void command(int i, const Endpoint& to, std::function<std::optional<Event>(int target)> handle);
  // Delivers to sentinel i if it is still the same process and, for replies,
  // the link they came on (serial) is still open.
  void deliver(int i, int incarnation, const std::string& key, int serial, const Event& event);
  bool resolve(const Endpoint& to, int& index, int& node, bool& alive, int& incarnation) const;
  std::optional<Event> redis_handle(int target, int i, const Action& action);
  std::optional<Event> sentinel_handle(int target, const Action& action);
  void fan_out_hello(int redis_index, const std::string& payload);
  // The proxy of sentinel i and its client (sim_clients.cc).
  enum class WriteOutcome { kAcknowledged, kAcknowledgedStale, kReadonly, kUnknown, kUnconfirmed };
  // Master `r` (redis index) took a write: its outcome once `durability_replicas_` replicas
  // confirmed it, or kUnconfirmed at the timeout (the proxy's -NOREPLICAS).
  void confirm_write(int r, std::function<void(WriteOutcome)> reply);
  WriteOutcome accepted_outcome(int r) const;
  void start_proxy(int i);
  // After each call of engine i, as the engine shell: its view to proxy i's bridge.
  void proxy_observe(int i);
  void schedule_write(int i, SimTime delay);
  void client_step(int i);
  void send_write(int i);
  void write_done(int i, int incarnation, int serial, const Address& to, WriteOutcome outcome);
  std::vector<Address> masters() const;
  SimTime think_time();
  // A write of proxy i was acknowledged (`stale`: by a stale master): checks (c) and
  // counts where stale acknowledgements come from.
  void judge_fence(int i, bool stale);

  Rng rng_;
  SimNetwork net_;
  std::vector<SimRedis> redis_;
  std::vector<SimSentinel> sentinels_;
  std::vector<SimProxy> proxies_;
  ProxyLedger ledger_;
  SimTime failover_hold_ = 0;  // the proxy's default: the group's failover-timeout
  int durability_replicas_ = 0;
  std::vector<SimTime> cut_off_since_;      // per proxy, -1 when it reaches a majority
  std::vector<std::vector<bool>> reached_;  // per proxy, the live sentinels it reaches
  std::vector<SimTime> clock_jump_at_;
  std::vector<SimTime> clock_offset_seen_;
  std::vector<SimTime> tilt_seen_at_;  // last time an engine call ended in TILT
  std::string failure_;
  std::map<std::pair<std::string, std::uint64_t>, std::string> votes_;
  std::map<std::uint64_t, Address> promoted_;
  std::map<std::uint64_t, Address> switched_;
  int link_serial_ = 0;
  bool trace_ = false;  // SP_SIM_TRACE=1 prints every notice
};

}  // namespace sp::sentinel::sim

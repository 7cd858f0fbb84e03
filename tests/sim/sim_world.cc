#include "tests/sim/sim_world.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace sp::sentinel::sim {

namespace {

constexpr SimTime kReplicationStep = 100;
// Sentinel ticks are jittered like Sentinel's 10-19 Hz timer, but slower
// (100-199 ms) to keep 10 000 scenarios fast; still far below TILT's 2 s.
constexpr SimTime kTickMin = 100;
constexpr std::uint64_t kTickJitter = 100;

}  // namespace

SimWorld::SimWorld(std::uint64_t seed, int sentinels, int redis, GroupConfig group,
                   ProxyVariant proxy_variant, bool fence_on_minority, int durability_replicas)
    : rng_(seed),
      net_(sentinels + redis, rng_),
      proxies_(static_cast<std::size_t>(sentinels)),
      ledger_(sentinels),
      failover_hold_(
          std::chrono::duration_cast<std::chrono::milliseconds>(group.failover_timeout).count()),
      durability_replicas_(durability_replicas),
      cut_off_since_(static_cast<std::size_t>(sentinels), -1),
      reached_(static_cast<std::size_t>(sentinels)),
      clock_jump_at_(static_cast<std::size_t>(sentinels), -1'000'000),
      clock_offset_seen_(static_cast<std::size_t>(sentinels), 0),
      tilt_seen_at_(static_cast<std::size_t>(sentinels), -1'000'000),
      trace_(std::getenv("SP_SIM_TRACE") != nullptr) {
  for (int r = 0; r < redis; ++r) {
    SimRedis node;
    node.node = r;
    node.addr = Address{"10.0.0." + std::to_string(r + 1), 6379};
    node.run_id = make_run_id(rng_.next());
    node.role = r == 0 ? Role::kMaster : Role::kSlave;
    if (r != 0) node.master = Address{"10.0.0.1", 6379};
    node.priority = 1 + static_cast<int>(rng_.below(100));
    redis_.push_back(node);
  }
  group.address = redis_[0].addr;
  ledger_.name_master(redis_[0].addr, 0, 0, "configured");
  for (auto& p : proxies_) {
    p.variant = proxy_variant;
    p.fence_on_minority = fence_on_minority;
  }
  for (int s = 0; s < sentinels; ++s) {
    SimSentinel sentinel;
    sentinel.node = redis + s;
    sentinel.addr = Address{"10.0.1." + std::to_string(s + 1), 26379};
    sentinel.config.myid = make_run_id(rng_.next());
    sentinel.config.announce_ip = sentinel.addr.ip;
    sentinel.config.port = 26379;
    sentinel.config.groups = {group};
    sentinels_.push_back(std::move(sentinel));
  }
  for (int s = 0; s < sentinels; ++s) {
    sentinels_[s].start(0, rng_.next());
    start_proxy(s);
    after_engine_call(s);
    schedule_tick(s);
  }
  schedule_replication();
}

void SimWorld::run_until(SimTime until) {
  while (failure_.empty() && net_.run_next(until)) {
  }
}

void SimWorld::crash_sentinel(int i) {
  sentinels_[i].crash();
  proxies_[i].crash();
  update_cut_off();
}

void SimWorld::restart_sentinel(int i) {
  sentinels_[i].start(net_.now(), rng_.next());
  start_proxy(i);
  update_cut_off();
  after_engine_call(i);
  schedule_tick(i);
}

void SimWorld::crash_redis(int i) {
  redis_[i].alive = false;
  ++redis_[i].incarnation;
}

void SimWorld::restart_redis(int i) {
  redis_[i].restart(rng_.next());
  redis_[i].link_down_since = net_.now();
}

int SimWorld::redis_at(const Address& addr) const {
  for (std::size_t r = 0; r < redis_.size(); ++r) {
    if (redis_[r].addr == addr) return static_cast<int>(r);
  }
  return -1;
}

int SimWorld::sentinel_at(const Address& addr) const {
  for (std::size_t s = 0; s < sentinels_.size(); ++s) {
    if (sentinels_[s].addr == addr) return static_cast<int>(s);
  }
  return -1;
}

void SimWorld::schedule_tick(int i) {
  SimTime next = net_.now() + kTickMin + static_cast<SimTime>(rng_.below(kTickJitter));
  int incarnation = sentinels_[i].incarnation;
  net_.at(next, [this, i, incarnation]() {
    SimSentinel& s = sentinels_[i];
    if (!s.alive || s.incarnation != incarnation) return;
    s.engine->tick(s.local(net_.now()));
    after_engine_call(i);
    if (s.alive && s.incarnation == incarnation) schedule_tick(i);
  });
}

void SimWorld::schedule_replication() {
  net_.at(net_.now() + kReplicationStep, [this]() {
    replication_step();
    schedule_replication();
  });
}

// Masters take writes; a replica whose master is alive and reachable is in
// sync (chained replication allowed), otherwise its link is down.
void SimWorld::replication_step() {
  for (auto& r : redis_) {
    if (r.alive && r.role == Role::kMaster) r.offset += 100;
  }
  for (auto& r : redis_) {
    if (!r.alive || r.role != Role::kSlave) continue;
    int m = redis_at(*r.master);
    bool up = m >= 0 && m != r.node && redis_[m].alive && net_.reachable(r.node, m);
    if (up) {
      r.link_up = true;
      r.offset = redis_[m].offset;
    } else if (r.link_up) {
      r.link_up = false;
      r.link_down_since = net_.now();
    }
  }
}

// Drains the engine's actions; PersistState is applied first-come, in order,
// so nothing that depends on it leaves before it is stored. A pending crash
// happens here: the engine ran, none of its actions escaped.
void SimWorld::after_engine_call(int i) {
  SimSentinel& s = sentinels_[i];
  if (!s.alive) return;
  std::vector<Action> actions = s.engine->take_actions();
  if (s.crash_at_next_call) {
    crash_sentinel(i);
    return;
  }
  int incarnation = s.incarnation;
  for (const auto& action : actions) {
    if (!s.alive || s.incarnation != incarnation) return;
    route(i, action);
  }
  if (s.engine->tilt()) tilt_seen_at_[i] = net_.now();
  proxy_observe(i);
  const Group* group = s.engine->group(kGroup);
  if (group->config_epoch < s.last_config_epoch) {
    fail("config epoch went back on sentinel " + std::to_string(i) + ": " +
         std::to_string(s.last_config_epoch) + " -> " + std::to_string(group->config_epoch));
  }
  s.last_config_epoch = group->config_epoch;
}

void SimWorld::check_notice(int i, const Notice& notice) {
  if (notice.kind != NoticeKind::kVoteForLeader) return;
  const std::string& voted = notice.run_id;
  const std::uint64_t epoch = notice.epoch;
  auto key = std::make_pair(sentinels_[i].config.myid, epoch);
  auto [it, inserted] = votes_.emplace(key, voted);
  if (!inserted) {
    fail("sentinel " + std::to_string(i) + " voted twice in epoch " + std::to_string(epoch) + ": " +
         it->second + " then " + voted);
  }
}

void SimWorld::check_switch(SimTime epoch_key, const Address& addr, const char* what) {
  auto& table = std::string_view(what) == "promoted" ? promoted_ : switched_;
  auto epoch = static_cast<std::uint64_t>(epoch_key);
  auto [it, inserted] = table.emplace(epoch, addr);
  if (!inserted && it->second != addr) {
    fail(std::string("two different replicas ") + what + " in epoch " + std::to_string(epoch) +
         ": " + it->second.to_string() + " and " + addr.to_string());
  }
}

void SimWorld::route(int i, const Action& action) {
  SimSentinel& s = sentinels_[i];
  if (const auto* p = std::get_if<PersistState>(&action)) {
    s.persisted = p->state;
  } else if (const auto* n = std::get_if<Notice>(&action)) {
    if (trace_)
      std::printf("%8lld s%d %s %s\n", static_cast<long long>(net_.now()), i,
                  std::string(to_string(n->kind)).c_str(), to_text(*n).c_str());
    check_notice(i, *n);
  } else if (const auto* sw = std::get_if<SwitchMaster>(&action)) {
    if (sw->config_epoch > 0) {
      check_switch(static_cast<SimTime>(sw->config_epoch), sw->addr, "switched to");
    }
    ledger_.name_master(sw->addr, sw->config_epoch, net_.now(), "switch-master");
  } else if (const auto* c = std::get_if<Connect>(&action)) {
    connect(i, c->to);
  } else if (const auto* d = std::get_if<Disconnect>(&action)) {
    s.links.erase(link_key(d->to));
  } else {
    std::optional<std::uint64_t> promotion;  // the failover epoch of a SLAVEOF NO ONE
    if (const auto* r = std::get_if<SendReplicaOf>(&action); r && !r->new_master) {
      std::uint64_t epoch = s.engine->group(kGroup)->failover_epoch;
      check_switch(static_cast<SimTime>(epoch), r->to.addr, "promoted");
      ledger_.name_master(r->to.addr, epoch, net_.now(), "SLAVEOF NO ONE");
      promotion = epoch;
    }
    const Endpoint& to = std::visit(
        [](const auto& a) -> const Endpoint& {
          if constexpr (requires {
                          { a.to } -> std::convertible_to<const Endpoint&>;
                        }) {
            return a.to;
          } else {
            static const Endpoint kNone;
            return kNone;
          }
        },
        action);
    command(i, to,
            [this, i, action, kind = to.kind, promotion](int target) -> std::optional<Event> {
              if (promotion) ledger_.promotion_applied(redis_[target].addr, *promotion);
              return kind == InstanceKind::kSentinel ? sentinel_handle(target, action)
                                                     : redis_handle(target, i, action);
            });
  }
}

}  // namespace sp::sentinel::sim

// The proxy in each sentinel's process and the client writing through it: the proxy
// follows its own engine (SimProxy), the client sends one write at a time to the master
// the proxy routes to, over the simulated network, so partitions and crashes apply.
#include <algorithm>
#include <cstdio>
#include <memory>

#include "tests/sim/sim_world.h"

namespace sp::sentinel::sim {

namespace {

// A client pauses between writes, as an application does; 200-299 ms keeps the
// writes frequent next to failover timings while the 10 000 scenarios stay fast.
constexpr SimTime kThinkMin = 200;
constexpr std::uint64_t kThinkJitter = 100;
// A held write looks again this often (the proxy wakes it on a new snapshot).
constexpr SimTime kHoldPoll = 100;
constexpr SimTime kMaxClockJump = 10'000;  // the scenarios' largest clock jump

}  // namespace

SimTime SimWorld::think_time() {
  return kThinkMin + static_cast<SimTime>(rng_.below(kThinkJitter));
}

// The proxy starts on the master its engine knows (the rewritten monitor line), at
// config epoch 0, as Server publishes its first snapshot.
void SimWorld::start_proxy(int i) {
  SimProxy& p = proxies_[i];
  Address master = p.variant == ProxyVariant::kRestartOnConfiguredMaster
                       ? redis_[0].addr
                       : *sentinels_[i].engine->master_address(kGroup);
  p.start(kGroup, master);
  p.started_at = net_.now();
  ledger_.on_restart(i);
  std::string failure = ledger_.on_route(i, *p.topology(), net_.now(), "start");
  if (!failure.empty()) fail(failure);
  schedule_write(i, think_time());
}

void SimWorld::proxy_observe(int i) {
  SimProxy& p = proxies_[i];
  if (!p.alive) return;
  const bool held = p.holding();
  const bool fenced = p.writes_fenced();
  const Engine& engine = *sentinels_[i].engine;
  const TimePoint now = sentinels_[i].local(net_.now());
  const bool routed =
      p.observe(*engine.group(kGroup), now, engine.current_epoch(), engine.reach_judged_at(now));
  if (trace_ && (routed || held != p.holding() || fenced != p.writes_fenced())) {
    std::printf("%8lld p%d %s %s:%d epoch %llu%s\n", static_cast<long long>(net_.now()), i,
                routed ? "routes to" : (p.holding() ? "holds for" : "goes on with"),
                p.topology()->master_ip.c_str(), p.topology()->master_port,
                static_cast<unsigned long long>(p.topology()->epoch),
                p.writes_fenced() ? ", writes fenced" : "");
  }
  if (!routed) return;
  std::string failure = ledger_.on_route(i, *p.topology(), net_.now(), "served view");
  if (!failure.empty()) fail(failure);
}

// A proxy is cut off when the live sentinels its node reaches, its own included, are
// not a majority of those configured; since the last change of that set. A restart, a clock jump (a
// jump back delays SDOWN by as much, 10 s at most) or TILT of its sentinel starts the count again.
void SimWorld::update_cut_off() {
  const SimTime now = net_.now();
  const std::size_t n = sentinels_.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (sentinels_[i].clock_offset != clock_offset_seen_[i]) {
      clock_offset_seen_[i] = sentinels_[i].clock_offset;
      clock_jump_at_[i] = now;
    }
    std::vector<bool> reached(n, false);
    std::size_t count = 0;
    for (std::size_t j = 0; j < n; ++j) {
      reached[j] = sentinels_[j].alive && net_.reachable(sentinels_[i].node, sentinels_[j].node);
      if (reached[j]) ++count;
    }
    const bool cut_off = sentinels_[i].alive && 2 * count <= n;
    // Still cut off, but from other peers: those just lost are SDOWN only later.
    if (!cut_off || reached != reached_[i]) cut_off_since_[i] = -1;
    if (cut_off && cut_off_since_[i] < 0) cut_off_since_[i] = now;
    reached_[i] = std::move(reached);
  }
}

void SimWorld::judge_fence(int i, bool stale) {
  const SimProxy& p = proxies_[i];
  if (!p.fence_on_minority) return;
  ProxyFigures& figures = ledger_.figures();
  if (cut_off_since_[i] < 0) {
    if (stale) ++figures.stale_acks_fenced_majority_side;
    return;
  }
  const Group* group = sentinels_[i].engine->group(kGroup);
  // In TILT an engine checks nobody's SDOWN (as Sentinel): the count starts when it ends.
  const SimTime since = std::max(
      {cut_off_since_[i], p.started_at, clock_jump_at_[i] + kMaxClockJump, tilt_seen_at_[i]});
  if (since > net_.now()) {
    if (stale) ++figures.stale_acks_fenced_within_bound;
    return;
  }
  if (group->sentinels.size() + 1 != sentinels_.size()) {
    // Outside the fence's promise (it counts the sentinels it knows): counted.
    if (stale) ++figures.stale_acks_fenced_not_judged;
    ++ledger_.figures().acks_cut_off_not_judged;
    if (net_.now() - since > ProxyLedger::kFenceBound) {
      ++ledger_.figures().acks_cut_off_not_judged_late;
    }
    return;
  }
  std::string failure = ledger_.on_ack_while_cut_off(i, net_.now() - since, net_.now());
  if (stale) ++figures.stale_acks_fenced_within_bound;  // past the bound it is a failure
  if (failure.empty()) return;
  // What its engine believes of each peer, next to the truth.
  failure += "\n  cut off since t=" + std::to_string(cut_off_since_[i]) + "; its engine's peers:";
  for (const auto& [id, peer] : group->sentinels) {
    const int j = sentinel_at(peer.addr);
    failure += "\n    " + peer.addr.to_string() + (peer.link.connected ? " connected" : "") +
               (peer.s_down ? " sdown" : "") + " (truth: " +
               (j < 0                                                    ? "unknown"
                : !sentinels_[j].alive                                   ? "down"
                : net_.reachable(sentinels_[i].node, sentinels_[j].node) ? "reachable"
                                                                         : "partitioned") +
               ")";
  }
  fail(failure);
}

void SimWorld::schedule_write(int i, SimTime delay) {
  int incarnation = proxies_[i].incarnation;
  net_.at(net_.now() + delay, [this, i, incarnation]() {
    if (proxies_[i].alive && proxies_[i].incarnation == incarnation) client_step(i);
  });
}

// While the proxy holds, the write waits; held longer than failover-hold, the proxy
// fails it (hold_expired_reply) and the client goes on with the next one.
void SimWorld::client_step(int i) {
  SimProxy& p = proxies_[i];
  if (p.in_flight) return;
  SimTime now = net_.now();
  if (!p.holding()) {
    p.hold_since = -1;
    if (p.writes_fenced()) {  // refused by the proxy, as a write command is
      ++ledger_.figures().refused_fenced;
      ++p.next_value;
      schedule_write(i, think_time());
      return;
    }
    send_write(i);
    return;
  }
  if (p.hold_since < 0) p.hold_since = now;
  if (now - p.hold_since >= failover_hold_) {
    ++ledger_.figures().hold_timeouts;
    ++p.next_value;
    p.hold_since = -1;
    schedule_write(i, think_time());
    return;
  }
  schedule_write(i, std::min(kHoldPoll, p.hold_since + failover_hold_ - now));
}

// A replica refuses the write (READONLY); a dead instance resets the connection; a
// message lost on the way breaks it, and the outcome is unknown to the client.
void SimWorld::send_write(int i) {
  SimProxy& p = proxies_[i];
  const Address to = p.master();
  const std::uint64_t value = p.next_value++;
  std::string failure = ledger_.on_send(i, to, value, net_.now());
  if (!failure.empty()) fail(failure);
  p.in_flight = true;
  const int serial = ++p.client_serial;
  const int incarnation = p.incarnation;
  auto done = [this, i, incarnation, serial, to](WriteOutcome outcome) {
    write_done(i, incarnation, serial, to, outcome);
  };
  const int r = redis_at(to);
  if (r < 0) {
    net_.at(net_.now() + 1, [done]() { done(WriteOutcome::kUnknown); });
    return;
  }
  const int from = sentinels_[i].node;
  const int node = redis_[r].node;
  net_.send(
      from, node,
      [this, r, from, node, done]() {
        const SimRedis& redis = redis_[r];
        auto reply = [this, node, from, done](WriteOutcome outcome) {
          net_.send(
              node, from, [done, outcome]() { done(outcome); },
              [done]() { done(WriteOutcome::kUnknown); });
        };
        if (redis.alive && redis.role != Role::kMaster) {
          reply(WriteOutcome::kReadonly);
        } else if (!redis.alive) {
          reply(WriteOutcome::kUnknown);
        } else if (durability_replicas_ > 0) {
          confirm_write(r, reply);
        } else {
          reply(accepted_outcome(r));
        }
      },
      [done]() { done(WriteOutcome::kUnknown); });
}

SimWorld::WriteOutcome SimWorld::accepted_outcome(int r) const {
  return ledger_.stale_master(redis_[r].addr, masters()) ? WriteOutcome::kAcknowledgedStale
                                                         : WriteOutcome::kAcknowledged;
}

// The WAIT behind the write: the master asks each instance replicating from it, over the
// network; an instance confirms if it still replicates from that master when asked, and
// then has the write. When the last confirmation it needs comes in, the write is judged as
// any acknowledgement is (stale or not), except that an instance promoted since it
// confirmed does not make it stale: the write is in its data.
void SimWorld::confirm_write(int r, std::function<void(WriteOutcome)> reply) {
  struct Wait {
    std::vector<Address> confirmed_by;
    bool answered = false;
  };
  auto wait = std::make_shared<Wait>();
  const Address master = redis_[r].addr;
  const int node = redis_[r].node;
  for (const SimRedis& replica : redis_) {
    if (!replica.alive || replica.role != Role::kSlave || replica.master != master) continue;
    const int at = replica.node;
    net_.send(node, at, [this, r, at, node, master, wait, reply]() {
      const SimRedis& asked = redis_[at];
      if (!asked.alive || asked.role != Role::kSlave || asked.master != master) return;
      net_.send(at, node, [this, r, at, wait, reply]() {
        if (wait->answered) return;
        wait->confirmed_by.push_back(redis_[at].addr);
        if (static_cast<int>(wait->confirmed_by.size()) < durability_replicas_) return;
        wait->answered = true;
        if (!redis_[r].alive) {
          reply(WriteOutcome::kUnknown);
          return;
        }
        std::vector<Address> others = masters();
        std::erase_if(others, [&](const Address& a) {
          return std::find(wait->confirmed_by.begin(), wait->confirmed_by.end(), a) !=
                 wait->confirmed_by.end();
        });
        reply(ledger_.stale_master(redis_[r].addr, others) ? WriteOutcome::kAcknowledgedStale
                                                           : WriteOutcome::kAcknowledged);
      });
    });
  }
  net_.at(net_.now() + kDurabilityTimeout, [wait, reply]() {
    if (wait->answered) return;
    wait->answered = true;
    reply(WriteOutcome::kUnconfirmed);
  });
}

// Role master, alive or not: a crashed master comes back as one.
std::vector<Address> SimWorld::masters() const {
  std::vector<Address> result;
  for (const auto& r : redis_) {
    if (r.role == Role::kMaster) result.push_back(r.addr);
  }
  return result;
}

void SimWorld::write_done(int i, int incarnation, int serial, const Address& to,
                          WriteOutcome outcome) {
  SimProxy& p = proxies_[i];
  if (!p.alive || p.incarnation != incarnation || p.client_serial != serial) return;
  p.in_flight = false;
  ProxyFigures& f = ledger_.figures();
  switch (outcome) {
    case WriteOutcome::kAcknowledgedStale:
      // Confirmed by every replica, a write cannot come from a stale master: one of them
      // was promoted, and a promoted instance replicates from nobody.
      if (durability_replicas_ >= static_cast<int>(redis_.size()) - 1) {
        fail("write-durability with every replica: a write acknowledged by stale master " +
             to.to_string());
      }
      ledger_.acknowledged_stale(to);
      ++f.acknowledged;
      judge_fence(i, true);
      break;
    case WriteOutcome::kAcknowledged:
      ++f.acknowledged;
      judge_fence(i, false);
      break;
    case WriteOutcome::kReadonly:
      ++f.refused_readonly;
      break;
    case WriteOutcome::kUnknown:
      ++f.unknown;
      break;
    case WriteOutcome::kUnconfirmed:
      ++f.unconfirmed;
      break;
  }
  schedule_write(i, think_time());
}

}  // namespace sp::sentinel::sim

// The proxy in each sentinel's process and the client writing through it: the proxy
// follows its own engine (SimProxy), the client sends one write at a time to the master
// the proxy routes to, over the simulated network, so partitions and crashes apply.
#include <cstdio>

#include "tests/sim/sim_world.h"

namespace sp::sentinel::sim {

namespace {

// A client pauses between writes, as an application does; 100-199 ms keeps the
// writes frequent next to failover timings while the 10 000 scenarios stay fast.
constexpr SimTime kThinkMin = 100;
constexpr std::uint64_t kThinkJitter = 100;
// A held write looks again this often (the proxy wakes it on a new snapshot).
constexpr SimTime kHoldPoll = 100;

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
  ledger_.on_restart(i);
  std::string failure = ledger_.on_route(i, *p.topology(), net_.now(), "start");
  if (!failure.empty()) fail(failure);
  schedule_write(i, think_time());
}

void SimWorld::proxy_observe(int i, const Action& action) {
  SimProxy& p = proxies_[i];
  if (!p.alive) return;
  const bool held = p.holding();
  const bool routed = p.observe(action, *sentinels_[i].engine->group(kGroup));
  if (trace_ && (routed || held != p.holding())) {
    std::printf("%8lld p%d %s %s:%d epoch %llu\n", static_cast<long long>(net_.now()), i,
                routed ? "routes to" : (p.holding() ? "holds for" : "releases"),
                p.topology()->master_ip.c_str(), p.topology()->master_port,
                static_cast<unsigned long long>(p.topology()->epoch));
  }
  if (!routed) return;
  const char* why =
      std::holds_alternative<SwitchMaster>(action) ? "SwitchMaster" : "+promoted-slave";
  std::string failure = ledger_.on_route(i, *p.topology(), net_.now(), why);
  if (!failure.empty()) fail(failure);
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
        WriteOutcome outcome = WriteOutcome::kUnknown;
        if (redis.alive && redis.role != Role::kMaster) {
          outcome = WriteOutcome::kReadonly;
        } else if (redis.alive) {
          outcome = ledger_.stale_master(redis.addr, masters()) ? WriteOutcome::kAcknowledgedStale
                                                                : WriteOutcome::kAcknowledged;
        }
        net_.send(
            node, from, [done, outcome]() { done(outcome); },
            [done]() { done(WriteOutcome::kUnknown); });
      },
      [done]() { done(WriteOutcome::kUnknown); });
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
      ledger_.acknowledged_stale(to);
      ++f.acknowledged;
      break;
    case WriteOutcome::kAcknowledged:
      ++f.acknowledged;
      break;
    case WriteOutcome::kReadonly:
      ++f.refused_readonly;
      break;
    case WriteOutcome::kUnknown:
      ++f.unknown;
      break;
  }
  schedule_write(i, think_time());
}

}  // namespace sp::sentinel::sim

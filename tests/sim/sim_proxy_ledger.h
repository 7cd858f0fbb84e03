#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "proxy/topology/topology.h"
#include "sentinel/address.h"
#include "tests/sim/sim_network.h"

namespace sp::sentinel::sim {

// What the proxies did and the clients' writes came to, summed over a scenario (or many).
struct ProxyFigures {
  std::uint64_t new_masters = 0;  // snapshots published after the first, by any proxy
  std::uint64_t starts = 0;       // proxy processes started, restarts included
  std::uint64_t sent = 0;
  std::uint64_t acknowledged = 0;
  // Acknowledged by an old master while another instance ran as master after a SLAVEOF
  // NO ONE of a newer epoch. Such a write is lost when the old master is turned into a
  // replica, kept if the newer one is turned back into a replica instead (an undone
  // promotion), and still at risk if neither happened by the end of the scenario.
  // Reported, not asserted: nothing stops these writes without fencing.
  std::uint64_t lost_at_promotion = 0;
  std::uint64_t kept_after_undone_promotion = 0;
  std::uint64_t at_risk_at_end = 0;
  std::uint64_t refused_readonly = 0;  // sent to an instance that had become a replica
  std::uint64_t hold_timeouts = 0;     // held longer than failover-hold, failed by the proxy
  std::uint64_t unknown = 0;           // connection broke before the reply
  // write-durability (a third of the scenarios each: async, one replica, every replica):
  std::uint64_t unconfirmed = 0;  // taken by the master, too few replicas confirmed: refused
  std::uint64_t scenarios_durable_one = 0;
  std::uint64_t lost_at_promotion_durable_one = 0;
  std::uint64_t scenarios_durable_all = 0;
  std::uint64_t lost_at_promotion_durable_all = 0;  // impossible: SimWorld fails the scenario
  std::uint64_t scenarios_with_loss = 0;
  // fence-on-minority (on in about half of the scenarios):
  std::uint64_t scenarios_fenced = 0;
  std::uint64_t lost_at_promotion_fenced = 0;      // lost_at_promotion in those scenarios
  std::uint64_t refused_fenced = 0;                // refused by the proxy, never sent
  std::uint64_t acks_while_cut_off = 0;            // judged by invariant (c)
  std::uint64_t acks_cut_off_not_judged = 0;       // its engine did not know every sentinel
  std::uint64_t acks_cut_off_not_judged_late = 0;  // ... and they came after the bound
  SimTime slowest_fence = 0;  // cut off -> last write acknowledged, the worst seen
  // Where the writes acknowledged by a stale master come from, with fencing on, as the
  // proxy stood when its client got the acknowledgement: on the majority side (its engine
  // had not learned of the promotion yet), cut off for less than kFenceBound, or cut off
  // with an engine that did not know every sentinel (outside the fence's promise).
  std::uint64_t stale_acks_fenced_majority_side = 0;
  std::uint64_t stale_acks_fenced_within_bound = 0;
  std::uint64_t stale_acks_fenced_not_judged = 0;

  void add(const ProxyFigures& o);
};

// The ground truth about masters and the proxy invariants, checked at each route change
// and each write a proxy sends.
//
// "Master of epoch e": an instance is named master in epoch e by the initial
// configuration (epoch 0), by a leader's SLAVEOF NO ONE sent in failover epoch e (the
// epoch under which it is promoted), or by any sentinel's SwitchMaster at config epoch e.
// Its master epoch at a given time is the highest epoch it had been named in by then.
// Role changes after that (a stale master converted to a replica) are lag, not
// regression: a proxy cannot see them before its engine does, and the replica refuses
// the write (READONLY), so they are counted, not judged.
//
// Invariants, per proxy p:
//   (a) once p routed to a master of config epoch E, every write p sends goes to an
//       instance whose master epoch is >= E at that time. E survives p's restarts: the
//       restarted proxy routes by its engine's persisted state, which is never older
//       than what it announced before the crash.
//   (b) the routed epoch of p never decreases while p runs (a restarted proxy starts
//       again at epoch 0, as Server's first snapshot does).
//   (c) with fence-on-minority, once p's process has been cut off from a majority of the
//       configured sentinels for longer than kFenceBound, its client gets no write
//       acknowledged (judged only when its engine knows every sentinel: the fence counts
//       the sentinels it knows).
class ProxyLedger {
 public:
  // (c)'s bound, from the moment a proxy is cut off (from its current set of peers).
  // Its engine's first unanswered PING to a peer leaves within a ping period (1 s) and a
  // tick (< 200 ms); the peer is SDOWN once that PING has been unanswered for
  // down-after (2 s; a broken link and its reconnection keep that time), seen at a tick
  // (< 200 ms); MinorityFence looks every 100 ms; a write sent just before the fence can
  // still come back acknowledged (2 x 205 ms).
  static constexpr SimTime kFenceBound = 1'000 + 200 + 2'000 + 200 + 100 + 410;

  explicit ProxyLedger(int proxies) : proxies_(proxies) {}

  void name_master(const Address& addr, std::uint64_t epoch, SimTime now, const char* how);
  // SLAVEOF NO ONE of failover epoch `epoch` took effect on `addr`.
  void promotion_applied(const Address& addr, std::uint64_t epoch);

  // Each returns a failure text, empty if the invariants hold.
  std::string on_route(int proxy, const proxy::Topology& topology, SimTime now, const char* why);
  std::string on_send(int proxy, const Address& to, std::uint64_t value, SimTime now);
  // The proxy (re)started with its sentinel: (b) starts over, (a) does not.
  void on_restart(int proxy);

  // `at` accepts a write: true if it is lost at promotion (see ProxyFigures), that is if
  // one of `masters` (the instances running as master now) took a SLAVEOF NO ONE of an
  // epoch newer than `at`'s master epoch. A promotion undone since (the replica turned
  // back into a replica of `at`) does not count.
  bool stale_master(const Address& at, const std::vector<Address>& masters) const;
  std::optional<std::uint64_t> master_epoch(const Address& addr) const;
  // A client got the acknowledgement of a write `at` accepted as a stale master.
  void acknowledged_stale(const Address& at) { ++at_risk_[at]; }
  // `addr`, a master, was turned into a replica; `masters` run as master now. Settles
  // the writes at risk: those of `addr` are lost, those of a master no longer stale kept.
  void master_demoted(const Address& addr, const std::vector<Address>& masters);
  // The scenario ended: what is still at risk is counted as such.
  void finish();

  // (c): p's client got a write acknowledged `cut_off_for` ms after p was cut off.
  std::string on_ack_while_cut_off(int proxy, SimTime cut_off_for, SimTime now);

  ProxyFigures& figures() { return figures_; }

 private:
  struct PerProxy {
    std::uint64_t high_epoch = 0;                // (a): the highest epoch it ever routed at
    std::optional<std::uint64_t> running_epoch;  // (b): since its last start
    std::deque<std::string> trace;
  };
  std::string history(int proxy) const;
  void remember(int proxy, std::string line);

  std::vector<PerProxy> proxies_;
  std::map<Address, std::uint64_t> named_;
  std::deque<std::string> namings_;
  std::map<Address, std::uint64_t> promotions_applied_;
  std::map<Address, std::uint64_t> at_risk_;  // acknowledged stale writes per old master
  ProxyFigures figures_;
};

}  // namespace sp::sentinel::sim

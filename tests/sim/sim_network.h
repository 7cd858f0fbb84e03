#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "sentinel/rng.h"

namespace sp::sentinel::sim {

// Simulated time in ms (the "true" time; sentinels may see a skewed clock).
using SimTime = std::int64_t;

// A seeded network of numbered nodes: each message is delayed, may be dropped,
// and is lost if a partition separates the two nodes. Deliveries run as
// callbacks from a single time-ordered queue, so a run is deterministic.
class SimNetwork {
 public:
  SimNetwork(int nodes, Rng& rng) : side_(nodes, 0), rng_(rng) {}

  SimTime now() const { return now_; }
  bool reachable(int a, int b) const { return side_[a] == side_[b]; }
  void partition(const std::vector<int>& side) { side_ = side; }
  void heal() { std::fill(side_.begin(), side_.end(), 0); }
  void set_drop_percent(int percent) { drop_percent_ = percent; }
  void set_max_delay(SimTime max_delay) { max_delay_ = max_delay; }

  // Sends from `from` to `to`: `deliver` runs later unless the message is lost.
  // Reachability is checked at send and at delivery time. A message lost on a
  // TCP connection does not vanish silently: the connection breaks, and
  // `on_lost` (if given) runs 1-3 s later, as a TCP timeout would report it.
  void send(int from, int to, std::function<void()> deliver, std::function<void()> on_lost = {});
  // Runs `fn` at `at` (timers, ticks).
  void at(SimTime when, std::function<void()> fn);
  // Runs every callback due up to `until`; returns false when the queue is empty.
  bool run_next(SimTime until);

 private:
  struct Pending {
    SimTime when;
    std::uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Pending& o) const { return when != o.when ? when > o.when : seq > o.seq; }
  };
  std::vector<int> side_;
  Rng& rng_;
  SimTime now_ = 0;
  std::uint64_t seq_ = 0;
  int drop_percent_ = 0;
  SimTime max_delay_ = 20;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> queue_;
};

}  // namespace sp::sentinel::sim

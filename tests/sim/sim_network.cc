#include "tests/sim/sim_network.h"

namespace sp::sentinel::sim {

void SimNetwork::send(int from, int to, std::function<void()> deliver,
                      std::function<void()> on_lost) {
  auto lose = [this](std::function<void()> fn) {
    if (fn) at(now_ + 1'000 + static_cast<SimTime>(rng_.below(2'000)), std::move(fn));
  };
  if (!reachable(from, to) ||
      (drop_percent_ > 0 && static_cast<int>(rng_.below(100)) < drop_percent_)) {
    lose(std::move(on_lost));
    return;
  }
  SimTime delay = 1 + static_cast<SimTime>(rng_.below(static_cast<std::uint64_t>(max_delay_)));
  at(now_ + delay,
     [this, from, to, lose, fn = std::move(deliver), lost = std::move(on_lost)]() mutable {
       if (reachable(from, to)) {
         fn();
       } else {
         lose(std::move(lost));
       }
     });
}

void SimNetwork::at(SimTime when, std::function<void()> fn) {
  queue_.push(Pending{when, seq_++, std::move(fn)});
}

bool SimNetwork::run_next(SimTime until) {
  if (queue_.empty() || queue_.top().when > until) {
    now_ = until;
    return false;
  }
  Pending next = queue_.top();
  queue_.pop();
  now_ = next.when;
  next.fn();
  return true;
}

}  // namespace sp::sentinel::sim

#pragma once

#include <chrono>
#include <cstdint>

namespace sp::sentinel {

// The engine's clock has no now(): every instant is passed in by the caller, so
// tests and the simulation own time completely. Millisecond resolution, as
// Sentinel's mstime().
struct Clock {
  using rep = std::int64_t;
  using period = std::milli;
  using duration = std::chrono::duration<rep, period>;
  using time_point = std::chrono::time_point<Clock>;
  static constexpr bool is_steady = false;
};

using Duration = Clock::duration;
using TimePoint = Clock::time_point;

// Sentinel stores "never" as 0; TimePoint{} plays that role here. Callers should
// therefore start their clocks well after the epoch (any real clock does).
inline constexpr TimePoint kNever{};

inline constexpr Duration ms(std::int64_t n) {
  return Duration{n};
}

}  // namespace sp::sentinel

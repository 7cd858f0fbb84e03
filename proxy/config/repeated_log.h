#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>

namespace sp::proxy {

// A log line that a fault repeats for every client and every command (a master that does
// not answer, say: thousands of lines a second) is written at most once per `period`, and
// the line written next says how many were left out meanwhile. The workers share one per
// kind of line: admit() is thread-safe and never blocks.
class RepeatedLog {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RepeatedLog(std::chrono::milliseconds period = std::chrono::seconds(1))
      : period_(period) {}

  // True when the occurrence at `now` is to be written; `left_out` is then how many were
  // not written since the last one that was.
  bool admit(Clock::time_point now, std::uint64_t& left_out);

  // What the written line adds about those left out ("" for none).
  static std::string note(std::uint64_t left_out) {
    if (left_out == 0) return {};
    return " (and " + std::to_string(left_out) + " more like it since the last such line)";
  }

 private:
  std::chrono::nanoseconds period_;
  std::atomic<std::int64_t> next_{std::numeric_limits<std::int64_t>::min()};
  std::atomic<std::uint64_t> left_out_{0};
};

}  // namespace sp::proxy

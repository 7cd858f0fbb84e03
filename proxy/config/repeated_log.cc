#include "proxy/config/repeated_log.h"

namespace sp::proxy {

bool RepeatedLog::admit(Clock::time_point now, std::uint64_t& left_out) {
  const std::int64_t at = now.time_since_epoch().count();
  std::int64_t next = next_.load(std::memory_order_relaxed);
  if (at >= next) {
    const std::int64_t following =
        at + std::chrono::duration_cast<Clock::duration>(period_).count();
    if (next_.compare_exchange_strong(next, following, std::memory_order_relaxed)) {
      left_out = left_out_.exchange(0, std::memory_order_relaxed);
      return true;
    }
  }
  left_out_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

}  // namespace sp::proxy

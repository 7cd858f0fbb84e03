#include "protocol/number.h"

#include <limits>

namespace sp::protocol {

// Mirrors Redis's string2ll, so that every length line is accepted or refused exactly
// as redis-server does.
bool parse_int64(std::string_view text, std::int64_t& out) {
  if (text.empty() || text.size() > 20) return false;
  if (text == "0") {
    out = 0;
    return true;
  }
  std::size_t i = 0;
  const bool negative = text[0] == '-';
  if (negative && ++i == text.size()) return false;
  if (text[i] < '1' || text[i] > '9') return false;
  std::uint64_t value = 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
    value = value * 10 + digit;
  }
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (value > kMax + 1) return false;
    out = static_cast<std::int64_t>(0 - value);
  } else {
    if (value > kMax) return false;
    out = static_cast<std::int64_t>(value);
  }
  return true;
}

}  // namespace sp::protocol

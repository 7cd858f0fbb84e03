#pragma once

#include <charconv>
#include <optional>
#include <string_view>

namespace sp {

// The whole of `text` as a decimal T, as std::from_chars reads it: digits, a leading '-'
// for a signed T, nothing else (no '+', no spaces, no empty text), within T's range.
// nullopt otherwise. The one integer parser; protocol::parse_int64 adds Redis's stricter
// string2ll rules on top of it. Standard library only, so the engine may use it too.
template <typename T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace sp

#include "protocol/number.h"

#include "common/parse_number.h"

namespace sp::protocol {

// Mirrors Redis's string2ll, so that every length line is accepted or refused exactly
// as redis-server does: from_chars's decimal integer, without a leading zero or "-0".
bool parse_int64(std::string_view text, std::int64_t& out) {
  const std::size_t sign = text.starts_with('-') ? 1 : 0;
  if (text.size() > sign && text[sign] == '0' && text.size() != 1) return false;
  const auto value = parse_number<std::int64_t>(text);
  if (!value) return false;
  out = *value;
  return true;
}

}  // namespace sp::protocol

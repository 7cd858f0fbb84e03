#pragma once

#include <cstdint>
#include <string_view>

namespace sp::protocol {

// Parses a decimal integer exactly as Redis's string2ll accepts it: an optional '-', no
// '+', no leading zeros, no spaces, no empty string, within int64. Returns false
// otherwise, leaving `out` unchanged.
bool parse_int64(std::string_view text, std::int64_t& out);

}  // namespace sp::protocol

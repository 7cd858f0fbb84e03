#pragma once

#include <cstddef>
#include <cstdint>

namespace sp::protocol {

// Hard limits applied while framing, with redis-server 7.0's defaults.
struct ProtocolLimits {
  // proto-max-bulk-len: the largest bulk string a client may send.
  std::int64_t max_bulk_len = 512LL * 1024 * 1024;
  // Redis 7.0 accepts any multibulk count up to INT_MAX (older versions capped it at 1M).
  std::int64_t max_multibulk_len = 2147483647;
  // PROTO_INLINE_MAX_SIZE: longest inline request, and longest length line we wait for.
  std::size_t max_inline_len = 64 * 1024;
  // Nesting of aggregate replies. Redis itself never nests deeper than a few levels
  // except for script results; a deeper reply is treated as a broken stream.
  std::size_t max_depth = 128;
};

}  // namespace sp::protocol

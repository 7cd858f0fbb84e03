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
  // A client the server demands authentication of, before it authenticated: Redis refuses
  // more than 10 arguments and bulks over 16 KB, so that a stranger cannot make it buffer
  // a large request.
  bool unauthenticated = false;
  static constexpr std::int64_t kUnauthenticatedMultibulkLen = 10;
  static constexpr std::int64_t kUnauthenticatedBulkLen = 16384;
  // Replies have no nesting limit: a script's self-referencing table makes Redis send
  // thousands of nested arrays, and the reply framer's stack grows with the input (at
  // least 4 bytes of input per level), so the input limits bound it.
};

}  // namespace sp::protocol

#pragma once

#include <cstdint>
#include <string_view>

namespace sp::proxy {

// What a reply frame means for Pub/Sub bookkeeping, read from its first bytes only.
enum class PubsubFrame : std::uint8_t {
  kNone,          // anything else
  kMessage,       // message / pmessage / smessage: unsolicited, never matched to a command
  kConfirm,       // subscribe / psubscribe / unsubscribe / punsubscribe (count: all but shard)
  kShardConfirm,  // ssubscribe / sunsubscribe (count: shard channels)
};
std::string_view to_string(PubsubFrame kind);

struct PubsubFrameInfo {
  PubsubFrame kind = PubsubFrame::kNone;
  std::int64_t count = -1;  // subscriptions left, for confirmations; -1 if not in `head`
  bool pattern = false;     // a psubscribe / punsubscribe confirmation
};

// Reads `*N` or `>N` followed by a bulk kind name, and for confirmations the integer in
// third place. `head` is the frame's first bytes (a complete frame, or a prefix of a long
// one); an array that does not look like Pub/Sub is kNone.
PubsubFrameInfo classify_pubsub_frame(std::string_view head);

}  // namespace sp::proxy

#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/parse_result.h"

namespace sp::protocol::testing {

// What a parser made of a whole stream.
template <class Frame>
struct FeedOutcome {
  std::vector<Frame> frames;
  ProtocolError error = ProtocolError::kNone;
  std::string error_message;
  std::string leftover;  // bytes not consumed when the input ran out
};

// Feeds `input` to `parser` in pieces, the way a socket delivers it: the bytes not yet
// consumed sit in a buffer that is rebuilt (so it moves in memory) every time a piece
// arrives, and every complete frame is erased from its front. `cuts` are the offsets
// where one read ends and the next begins. `capture(parser, frame_bytes)` turns a complete
// frame into a Frame while its views are still valid.
template <class Frame, class Parser, class Capture>
FeedOutcome<Frame> feed_in_pieces(Parser& parser, std::string_view input,
                                  const std::vector<std::size_t>& cuts, Capture capture) {
  FeedOutcome<Frame> outcome;
  std::string buffer;
  std::size_t from = 0;
  auto deliver = [&](std::size_t to) {
    std::string moved;
    moved.reserve(buffer.size() + (to - from) + 1);
    moved = buffer;
    moved.append(input.substr(from, to - from));
    buffer.swap(moved);
    from = to;
    while (!buffer.empty()) {
      const ParseResult r = parser.parse(buffer);
      if (r.status == ParseStatus::kNeedMore) return true;
      if (r.status == ParseStatus::kError) {
        outcome.error = parser.error();
        return false;
      }
      outcome.frames.push_back(capture(parser, std::string_view(buffer).substr(0, r.consumed)));
      buffer.erase(0, r.consumed);
    }
    return true;
  };
  bool ok = true;
  for (std::size_t cut : cuts) {
    if (ok && cut > from && cut < input.size()) ok = deliver(cut);
  }
  if (ok) deliver(input.size());
  outcome.leftover = buffer;
  return outcome;
}

// Every way to cut `size` bytes into two reads, plus one byte at a time.
inline std::vector<std::vector<std::size_t>> all_cut_patterns(std::size_t size) {
  std::vector<std::vector<std::size_t>> patterns;
  patterns.push_back({});
  for (std::size_t k = 1; k < size; ++k) patterns.push_back({k});
  std::vector<std::size_t> every_byte;
  for (std::size_t k = 1; k < size; ++k) every_byte.push_back(k);
  patterns.push_back(every_byte);
  return patterns;
}

}  // namespace sp::protocol::testing

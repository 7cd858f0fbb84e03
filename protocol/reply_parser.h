#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/limits.h"
#include "protocol/parse_result.h"

namespace sp::protocol {

// The first byte of a RESP2/RESP3 value.
enum class RespType : char {
  kSimpleString = '+',
  kError = '-',
  kInteger = ':',
  kBulkString = '$',
  kArray = '*',
  kNull = '_',
  kBoolean = '#',
  kDouble = ',',
  kBigNumber = '(',
  kBulkError = '!',
  kVerbatimString = '=',
  kMap = '%',
  kSet = '~',
  kAttribute = '|',
  kPush = '>',
};

std::string_view to_string(RespType type);

// Finds the boundaries of complete RESP2/RESP3 values (server replies, pushes, and any
// RESP the engine reads) without copying or decoding them: bulk payloads are skipped by
// length, nesting is tracked as a stack of counts. An attribute (`|`) and the value it
// annotates form one frame.
//
// Same contract as RequestParser: pass the unconsumed bytes starting at a frame; on
// kNeedMore pass them again with more appended (the buffer may move); on kComplete the
// first `consumed` bytes are one value.
class ReplyParser {
 public:
  explicit ReplyParser(const ProtocolLimits& limits = {}) : limits_(limits) {}

  ParseResult parse(std::string_view input);

  // Type of the last complete frame's value (after any attribute): tells a push from a
  // reply and an error from a success.
  RespType type() const { return type_; }
  bool is_error() const { return type_ == RespType::kError || type_ == RespType::kBulkError; }
  bool is_push() const { return type_ == RespType::kPush; }
  // True for `$-1` and `*-1` (RESP2 nulls) and `_` (RESP3 null).
  bool is_null() const { return null_; }

  // Bytes of a partial frame already framed: everything before them may be forwarded
  // and dropped by the caller (see drop_prefix), so a huge reply streams through.
  std::size_t framed() const { return pos_; }
  // The caller dropped the first `n` <= framed() bytes of the current partial frame.
  void drop_prefix(std::size_t n) { pos_ -= n; }

  ProtocolError error() const { return error_; }
  void reset();

 private:
  enum class Step : std::uint8_t { kNeedMore, kError, kOpened, kValueDone };
  Step parse_header(std::string_view input);
  Step parse_bulk_payload(std::string_view input);
  // One value is done: count it against the enclosing aggregates. True if the frame is.
  bool finish_value();
  ParseResult fail(ProtocolError error);

  ProtocolLimits limits_;
  std::size_t pos_ = 0;
  std::int64_t bulk_len_ = -1;
  // Elements still to come in each open aggregate, outermost first.
  std::vector<std::int64_t> open_;
  std::size_t top_attributes_ = 0;  // attributes that precede the frame's own value
  RespType type_ = RespType::kNull;
  bool null_ = false;
  ProtocolError error_ = ProtocolError::kNone;
};

}  // namespace sp::protocol

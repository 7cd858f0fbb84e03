#include "protocol/reply_parser.h"

#include <algorithm>
#include <cstring>

#include "protocol/number.h"

namespace sp::protocol {

std::string_view to_string(RespType type) {
  switch (type) {
    case RespType::kSimpleString:
      return "simple-string";
    case RespType::kError:
      return "error";
    case RespType::kInteger:
      return "integer";
    case RespType::kBulkString:
      return "bulk-string";
    case RespType::kArray:
      return "array";
    case RespType::kNull:
      return "null";
    case RespType::kBoolean:
      return "boolean";
    case RespType::kDouble:
      return "double";
    case RespType::kBigNumber:
      return "big-number";
    case RespType::kBulkError:
      return "bulk-error";
    case RespType::kVerbatimString:
      return "verbatim-string";
    case RespType::kMap:
      return "map";
    case RespType::kSet:
      return "set";
    case RespType::kAttribute:
      return "attribute";
    case RespType::kPush:
      return "push";
  }
  return "?";
}

namespace {

// An aggregate may announce this many elements at most, so that a map's or attribute's
// count of children (2n + 1) cannot overflow. Redis's own limit is memory.
constexpr std::int64_t kMaxAggregateLength = std::int64_t{1} << 61;

bool is_known_type(char c) {
  switch (c) {
    case '+':
    case '-':
    case ':':
    case '$':
    case '*':
    case '_':
    case '#':
    case ',':
    case '(':
    case '!':
    case '=':
    case '%':
    case '~':
    case '|':
    case '>':
      return true;
    default:
      return false;
  }
}

}  // namespace

void ReplyParser::reset() {
  pos_ = 0;
  bulk_len_ = -1;
  open_.clear();
  top_attributes_ = 0;
  null_ = false;
  error_ = ProtocolError::kNone;
}

ParseResult ReplyParser::fail(ProtocolError error) {
  error_ = error;
  return {ParseStatus::kError, 0};
}

ParseResult ReplyParser::parse(std::string_view input) {
  if (error_ != ProtocolError::kNone) return {ParseStatus::kError, 0};
  while (true) {
    const Step step = bulk_len_ >= 0 ? parse_bulk_payload(input) : parse_header(input);
    if (step == Step::kNeedMore) return {ParseStatus::kNeedMore, 0};
    if (step == Step::kError) return {ParseStatus::kError, 0};
    if (step == Step::kValueDone && finish_value()) {
      const std::size_t consumed = pos_;
      pos_ = 0;
      top_attributes_ = 0;
      return {ParseStatus::kComplete, consumed};
    }
  }
}

bool ReplyParser::finish_value() {
  while (!open_.empty()) {
    if (--open_.back() > 0) return false;
    open_.pop_back();
  }
  return true;
}

ReplyParser::Step ReplyParser::parse_bulk_payload(std::string_view input) {
  const auto length = static_cast<std::size_t>(bulk_len_);
  if (input.size() < pos_ + length + 2) {
    // Take what has arrived of the payload, so that framed() covers it and a caller can
    // stream a huge value through; only the terminator is checked at the end.
    const std::size_t available = std::min(input.size() - pos_, length);
    pos_ += available;
    bulk_len_ -= static_cast<std::int64_t>(available);
    return Step::kNeedMore;
  }
  if (input[pos_ + length] != '\r' || input[pos_ + length + 1] != '\n') {
    error_ = ProtocolError::kMissingReplyTerminator;
    return Step::kError;
  }
  pos_ += length + 2;
  bulk_len_ = -1;
  return Step::kValueDone;
}

// Reads one type line: a scalar (or an empty aggregate, or a null) is a whole value; a
// bulk type leaves its payload pending in bulk_len_; a non-empty aggregate opens a level.
ReplyParser::Step ReplyParser::parse_header(std::string_view input) {
  if (pos_ >= input.size()) return Step::kNeedMore;
  const char type = input[pos_];
  if (!is_known_type(type)) {
    error_ = ProtocolError::kUnknownReplyType;
    return Step::kError;
  }
  const void* hit = std::memchr(input.data() + pos_, '\r', input.size() - pos_);
  if (hit == nullptr) {
    if (input.size() - pos_ > static_cast<std::size_t>(limits_.max_bulk_len)) {
      error_ = ProtocolError::kMissingReplyTerminator;
      return Step::kError;
    }
    return Step::kNeedMore;
  }
  const auto cr = static_cast<std::size_t>(static_cast<const char*>(hit) - input.data());
  if (cr + 1 >= input.size()) return Step::kNeedMore;
  if (input[cr + 1] != '\n') {
    error_ = ProtocolError::kMissingReplyTerminator;
    return Step::kError;
  }
  const std::string_view body = input.substr(pos_ + 1, cr - pos_ - 1);
  const auto resp_type = static_cast<RespType>(type);
  // The frame's own value is the first one read outside any aggregate, or the value that
  // follows the pairs of a leading attribute.
  const bool frame_level = open_.size() == top_attributes_ && (open_.empty() || open_.back() == 1);
  if (frame_level && resp_type == RespType::kAttribute) {
    ++top_attributes_;
  } else if (frame_level) {
    type_ = resp_type;
    null_ = false;
  }
  // Only lengths are read: a scalar's body is the master's business, not ours. Redis emits
  // bodies no strict reader would take (a script's big number `(123  123`, `,nan`, an empty
  // status), and the proxy passes them on unchanged.
  std::int64_t number = 0;
  switch (resp_type) {
    case RespType::kSimpleString:
    case RespType::kError:
    case RespType::kInteger:
    case RespType::kBoolean:
    case RespType::kDouble:
    case RespType::kBigNumber:
      break;
    case RespType::kNull:
      null_ = frame_level;
      break;
    case RespType::kBulkString:
    case RespType::kBulkError:
    case RespType::kVerbatimString:
      if (!parse_int64(body, number) || number < -1) {
        error_ = ProtocolError::kInvalidReplyLength;
      } else if (number == -1) {
        null_ = frame_level;
      } else {
        bulk_len_ = number;
      }
      break;
    case RespType::kArray:
    case RespType::kMap:
    case RespType::kSet:
    case RespType::kAttribute:
    case RespType::kPush:
      if (!parse_int64(body, number) || number < -1 || number > kMaxAggregateLength) {
        error_ = ProtocolError::kInvalidReplyLength;
        break;
      }
      if (number == -1) {
        null_ = frame_level;
        break;
      }
      {
        const bool pairs = resp_type == RespType::kMap || resp_type == RespType::kAttribute;
        // An attribute's pairs are followed by the value it annotates, which belongs to the
        // same element of the enclosing aggregate: count it as one more child.
        const std::int64_t children =
            number * (pairs ? 2 : 1) + (resp_type == RespType::kAttribute ? 1 : 0);
        if (children > 0) {
          pos_ = cr + 2;
          open_.push_back(children);
          return Step::kOpened;
        }
      }
      break;
  }
  if (error_ != ProtocolError::kNone) return Step::kError;
  pos_ = cr + 2;
  return bulk_len_ >= 0 ? Step::kOpened : Step::kValueDone;
}

}  // namespace sp::protocol

#include "protocol/request_parser.h"

#include <algorithm>
#include <cstring>

#include "protocol/inline_args.h"
#include "protocol/number.h"

namespace sp::protocol {
namespace {

// Redis finds line ends with strchr on a NUL-terminated buffer, so a NUL byte before the
// terminator hides it; we return npos in that case too, to wait (and fail) as Redis does.
std::size_t find_c_string_char(std::string_view input, std::size_t from, char wanted) {
  const char* begin = input.data() + from;
  const std::size_t size = input.size() - from;
  const void* hit = std::memchr(begin, wanted, size);
  if (hit == nullptr) return std::string_view::npos;
  const auto offset = static_cast<std::size_t>(static_cast<const char*>(hit) - begin);
  if (std::memchr(begin, '\0', offset) != nullptr) return std::string_view::npos;
  return from + offset;
}

}  // namespace

void RequestParser::reset() {
  pos_ = 0;
  remaining_ = -1;
  bulk_len_ = -1;
  arg_offsets_.clear();
  error_ = ProtocolError::kNone;
  error_byte_ = '\0';
}

ParseResult RequestParser::parse(std::string_view input) {
  if (error_ != ProtocolError::kNone) return {ParseStatus::kError, 0};
  if (input.empty()) return {ParseStatus::kNeedMore, 0};
  args_.clear();
  return input[0] == '*' ? parse_multibulk(input) : parse_inline(input);
}

ParseResult RequestParser::fail(ProtocolError error, char offending) {
  error_ = error;
  error_byte_ = offending;
  return {ParseStatus::kError, 0};
}

ParseResult RequestParser::complete(std::string_view input, std::size_t consumed) {
  inline_ = false;
  args_.reserve(arg_offsets_.size());
  for (const auto& [offset, length] : arg_offsets_) args_.push_back(input.substr(offset, length));
  pos_ = 0;
  remaining_ = -1;
  bulk_len_ = -1;
  arg_offsets_.clear();
  return {ParseStatus::kComplete, consumed};
}

// Mirrors processMultibulkBuffer: the count line, then one "$len" line and payload per
// argument. Like Redis it skips the two bytes after each payload without checking them.
ParseResult RequestParser::parse_multibulk(std::string_view input) {
  if (remaining_ < 0) {
    const std::size_t cr = find_c_string_char(input, 0, '\r');
    if (cr == std::string_view::npos) {
      if (input.size() > limits_.max_inline_len)
        return fail(ProtocolError::kTooBigMbulkCountString);
      return {ParseStatus::kNeedMore, 0};
    }
    if (cr + 2 > input.size()) return {ParseStatus::kNeedMore, 0};
    std::int64_t count = 0;
    if (!parse_int64(input.substr(1, cr - 1), count) || count > limits_.max_multibulk_len) {
      return fail(ProtocolError::kInvalidMultibulkLength);
    }
    if (limits_.unauthenticated && count > ProtocolLimits::kUnauthenticatedMultibulkLen) {
      return fail(ProtocolError::kUnauthenticatedMultibulkLength);
    }
    pos_ = cr + 2;
    if (count <= 0) return complete(input, pos_);
    remaining_ = count;
    // Like Redis, trust the announced count only so far before the bytes arrive.
    arg_offsets_.reserve(static_cast<std::size_t>(std::min<std::int64_t>(count, 1024)));
  }
  while (remaining_ > 0) {
    if (bulk_len_ < 0) {
      const std::size_t cr = find_c_string_char(input, pos_, '\r');
      if (cr == std::string_view::npos) {
        if (input.size() - pos_ > limits_.max_inline_len) {
          return fail(ProtocolError::kTooBigBulkCountString);
        }
        return {ParseStatus::kNeedMore, 0};
      }
      if (cr + 2 > input.size()) return {ParseStatus::kNeedMore, 0};
      if (input[pos_] != '$') return fail(ProtocolError::kExpectedDollar, input[pos_]);
      std::int64_t length = 0;
      if (!parse_int64(input.substr(pos_ + 1, cr - pos_ - 1), length) || length < 0 ||
          length > limits_.max_bulk_len) {
        return fail(ProtocolError::kInvalidBulkLength);
      }
      if (limits_.unauthenticated && length > ProtocolLimits::kUnauthenticatedBulkLen) {
        return fail(ProtocolError::kUnauthenticatedBulkLength);
      }
      pos_ = cr + 2;
      bulk_len_ = length;
    }
    const auto length = static_cast<std::size_t>(bulk_len_);
    if (input.size() - pos_ < length + 2) return {ParseStatus::kNeedMore, 0};
    arg_offsets_.emplace_back(pos_, length);
    pos_ += length + 2;
    bulk_len_ = -1;
    --remaining_;
  }
  return complete(input, pos_);
}

// Mirrors processInlineBuffer: one line ended by "\n" (a "\r" before it is dropped).
ParseResult RequestParser::parse_inline(std::string_view input) {
  const std::size_t newline = find_c_string_char(input, 0, '\n');
  if (newline == std::string_view::npos) {
    if (input.size() > limits_.max_inline_len) return fail(ProtocolError::kTooBigInlineRequest);
    return {ParseStatus::kNeedMore, 0};
  }
  std::size_t line_end = newline;
  if (line_end > 0 && input[line_end - 1] == '\r') --line_end;
  if (!split_inline_args(input.substr(0, line_end), inline_args_)) {
    return fail(ProtocolError::kUnbalancedQuotes);
  }
  args_.assign(inline_args_.begin(), inline_args_.end());
  inline_ = true;
  return {ParseStatus::kComplete, newline + 1};
}

}  // namespace sp::protocol

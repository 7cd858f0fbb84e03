#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sp::protocol {

// kNeedMore is the only retryable outcome: call again with the same bytes plus more.
// kError is final for the stream; the connection cannot be resynchronised.
enum class ParseStatus : std::uint8_t { kComplete, kNeedMore, kError };

// Each request error carries the exact text redis-server 7.0 replies with for the same
// bytes (checked against a live server in tests/integration). The reply-side errors are
// ours: Redis never parses replies, and a backend that sends them is broken.
enum class ProtocolError : std::uint8_t {
  kNone,
  kTooBigInlineRequest,
  kUnbalancedQuotes,
  kTooBigMbulkCountString,
  kInvalidMultibulkLength,
  kTooBigBulkCountString,
  kExpectedDollar,
  kInvalidBulkLength,
  kUnauthenticatedMultibulkLength,
  kUnauthenticatedBulkLength,
  kUnknownReplyType,
  kInvalidReplyLength,
  kMissingReplyTerminator,
};

struct ParseResult {
  ParseStatus status;
  // Bytes of the input that form the frame (kComplete); 0 otherwise.
  std::size_t consumed;
};

std::string_view to_string(ParseStatus status);
std::string_view to_string(ProtocolError error);

// "Protocol error: <reason>", the message Redis puts after "-ERR ". `offending` is the
// byte Redis quotes in "expected '$', got '%c'"; other errors ignore it.
std::string protocol_error_message(ProtocolError error, char offending = '\0');

}  // namespace sp::protocol

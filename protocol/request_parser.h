#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/limits.h"
#include "protocol/parse_result.h"

namespace sp::protocol {

// Frames client requests exactly as redis-server 7.0 does (processMultibulkBuffer and
// processInlineBuffer): a request starting with '*' is a multibulk of bulk strings,
// anything else is an inline line split with sdssplitargs' quoting rules.
//
// Usage: call parse() with the unconsumed bytes of the connection, starting at the first
// byte of the next request. On kNeedMore, call again later with the same bytes followed by
// more; the buffer may have moved in between, since the parser keeps offsets, never
// pointers, and it does not rescan what it already framed. On kComplete, `consumed` bytes
// form the request and args() describes it until the next call to parse().
//
// A complete request with no arguments (an empty inline line, `*0`, `*-1`) is one Redis
// skips silently: it gets no reply.
class RequestParser {
 public:
  explicit RequestParser(const ProtocolLimits& limits = {}) : limits_(limits) {}
  const ProtocolLimits& limits() const { return limits_; }
  // The client must authenticate and has not (ProtocolLimits::unauthenticated); applies
  // from the next length line read.
  void set_unauthenticated(bool unauthenticated) { limits_.unauthenticated = unauthenticated; }
  void set_max_bulk_len(std::int64_t max_bulk_len) { limits_.max_bulk_len = max_bulk_len; }

  ParseResult parse(std::string_view input);

  // Views into the input of the last complete parse() (or, for inline arguments, into the
  // parser's own storage, since quotes and escapes are decoded).
  std::span<const std::string_view> args() const { return args_; }
  bool is_inline() const { return inline_; }

  ProtocolError error() const { return error_; }
  // "Protocol error: ..." as Redis words it, for an "-ERR " reply.
  std::string error_message() const { return protocol_error_message(error_, error_byte_); }

  // Forgets any partial request (after an error, or when the connection is reused).
  void reset();

 private:
  ParseResult parse_multibulk(std::string_view input);
  ParseResult parse_inline(std::string_view input);
  ParseResult fail(ProtocolError error, char offending = '\0');
  ParseResult complete(std::string_view input, std::size_t consumed);

  ProtocolLimits limits_;
  // Progress through a partial multibulk request: offset of the next unread byte, how many
  // bulks are still to come (-1 before the count line), the length of the bulk whose
  // payload is awaited (-1 before its length line).
  std::size_t pos_ = 0;
  std::int64_t remaining_ = -1;
  std::int64_t bulk_len_ = -1;
  std::vector<std::pair<std::size_t, std::size_t>> arg_offsets_;

  std::vector<std::string_view> args_;
  std::vector<std::string> inline_args_;
  bool inline_ = false;
  ProtocolError error_ = ProtocolError::kNone;
  char error_byte_ = '\0';
};

}  // namespace sp::protocol

#include "protocol/parse_result.h"

namespace sp::protocol {

std::string_view to_string(ParseStatus status) {
  switch (status) {
    case ParseStatus::kComplete:
      return "complete";
    case ParseStatus::kNeedMore:
      return "need_more";
    case ParseStatus::kError:
      return "error";
  }
  return "?";
}

std::string_view to_string(ProtocolError error) {
  switch (error) {
    case ProtocolError::kNone:
      return "none";
    case ProtocolError::kTooBigInlineRequest:
      return "too big inline request";
    case ProtocolError::kUnbalancedQuotes:
      return "unbalanced quotes in request";
    case ProtocolError::kTooBigMbulkCountString:
      return "too big mbulk count string";
    case ProtocolError::kInvalidMultibulkLength:
      return "invalid multibulk length";
    case ProtocolError::kTooBigBulkCountString:
      return "too big bulk count string";
    case ProtocolError::kExpectedDollar:
      return "expected '$'";
    case ProtocolError::kInvalidBulkLength:
      return "invalid bulk length";
    case ProtocolError::kUnauthenticatedMultibulkLength:
      return "unauthenticated multibulk length";
    case ProtocolError::kUnauthenticatedBulkLength:
      return "unauthenticated bulk length";
    case ProtocolError::kUnknownReplyType:
      return "unknown reply type";
    case ProtocolError::kInvalidReplyLength:
      return "invalid reply length";
    case ProtocolError::kMissingReplyTerminator:
      return "missing CRLF in reply";
  }
  return "?";
}

std::string protocol_error_message(ProtocolError error, char offending) {
  std::string message = "Protocol error: ";
  if (error == ProtocolError::kExpectedDollar) {
    message += "expected '$', got '";
    message += offending;
    message += '\'';
  } else {
    message += to_string(error);
  }
  return message;
}

}  // namespace sp::protocol

#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/number.h"

namespace sp::protocol::testing {

// A second, deliberately plain reply framer to check ReplyParser against: it reads a whole
// buffer from the start every time and counts the values still owed instead of keeping a
// stack. It knows RESP's grammar only: a type byte, a line, and for the length-prefixed
// types a length (-1 for a null) followed by that many values or bytes.
struct ReferenceFrame {
  enum class Status { kComplete, kNeedMore, kError } status;
  std::size_t consumed = 0;
};

inline ReferenceFrame reference_frame(std::string_view input) {
  using Status = ReferenceFrame::Status;
  std::size_t pos = 0;
  std::int64_t owed = 1;  // values still to read; an aggregate adds its children
  while (owed > 0) {
    if (pos >= input.size()) return {Status::kNeedMore};
    const char type = input[pos];
    const std::size_t cr = input.find('\r', pos);
    if (std::string_view("+-:$*_#,(!=%~|>").find(type) == std::string_view::npos) {
      return {Status::kError};
    }
    if (cr == std::string_view::npos || cr + 1 >= input.size()) return {Status::kNeedMore};
    if (input[cr + 1] != '\n') return {Status::kError};
    const std::string_view body = input.substr(pos + 1, cr - pos - 1);
    pos = cr + 2;
    --owed;
    const bool blob = type == '$' || type == '!' || type == '=';
    const bool aggregate = std::string_view("*%~|>").find(type) != std::string_view::npos;
    if (!blob && !aggregate) continue;
    std::int64_t length = 0;
    if (!parse_int64(body, length) || length < -1) return {Status::kError};
    if (length == -1) continue;
    if (blob) {
      if (input.size() - pos < static_cast<std::size_t>(length) + 2) return {Status::kNeedMore};
      pos += static_cast<std::size_t>(length);
      if (input[pos] != '\r' || input[pos + 1] != '\n') return {Status::kError};
      pos += 2;
      continue;
    }
    if (length > (std::int64_t{1} << 61)) return {Status::kError};
    const bool pairs = type == '%' || type == '|';
    owed += length * (pairs ? 2 : 1) + (type == '|' ? 1 : 0);
  }
  return {Status::kComplete, pos};
}

}  // namespace sp::protocol::testing

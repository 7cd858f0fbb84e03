#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_parser.h"

namespace sp::protocol {

// A decoded RESP value, for the control paths (the proxy's own commands, role checks,
// tests): it owns copies of its strings, so it is never used on the data path, where
// frames are forwarded as bytes.
struct Value {
  RespType type = RespType::kNull;
  // Simple string, error, bulk string, bulk error, verbatim text (with its "txt:"
  // format prefix), double and big number text, and "t"/"f" for booleans.
  std::string text;
  std::int64_t integer = 0;
  bool null = false;
  std::vector<Value> elements;    // aggregates; a map's keys and values alternate
  std::vector<Value> attributes;  // an attribute's pairs, flattened, when one preceded

  bool is_error() const { return type == RespType::kError || type == RespType::kBulkError; }
};

// Decodes one complete frame (as delimited by ReplyParser). nullopt if it is malformed or
// nested deeper than 512 levels (a tree that deep is no control-path reply).
std::optional<Value> decode_value(std::string_view frame);

// Writes `value` back as RESP3 bytes (RESP2 values round-trip unchanged too).
std::string encode_value(const Value& value);

}  // namespace sp::protocol

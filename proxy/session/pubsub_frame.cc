#include "proxy/session/pubsub_frame.h"

#include <charconv>

#include "common/parse_number.h"
#include "protocol/command_table.h"

namespace sp::proxy {
namespace {

// Reads one CRLF-terminated line starting at `pos` (after its type byte).
bool read_line(std::string_view s, std::size_t& pos, std::string_view& line) {
  const auto end = s.find("\r\n", pos);
  if (end == std::string_view::npos) return false;
  line = s.substr(pos, end - pos);
  pos = end + 2;
  return true;
}

bool read_int(std::string_view text, std::int64_t& value) {
  const auto parsed = parse_number<std::int64_t>(text);
  if (parsed) value = *parsed;
  return parsed.has_value();
}

// Skips one bulk string or null (the channel), true if it was one.
bool skip_channel(std::string_view s, std::size_t& pos) {
  if (pos >= s.size()) return false;
  if (s[pos] == '_') return pos + 3 <= s.size() && (pos += 3, true);
  if (s[pos] != '$') return false;
  std::string_view line;
  std::int64_t len = 0;
  ++pos;
  if (!read_line(s, pos, line) || !read_int(line, len)) return false;
  if (len < 0) return true;
  pos += static_cast<std::size_t>(len) + 2;
  return pos <= s.size();
}

}  // namespace

std::string_view to_string(PubsubFrame kind) {
  switch (kind) {
    case PubsubFrame::kNone:
      return "none";
    case PubsubFrame::kMessage:
      return "message";
    case PubsubFrame::kConfirm:
      return "confirm";
    case PubsubFrame::kShardConfirm:
      return "shard-confirm";
  }
  return "unknown";
}

PubsubFrameInfo classify_pubsub_frame(std::string_view head) {
  PubsubFrameInfo info;
  if (head.size() < 4 || (head[0] != '*' && head[0] != '>')) return info;
  std::size_t pos = 1;
  std::string_view line;
  std::int64_t count = 0;
  if (!read_line(head, pos, line) || !read_int(line, count) || count < 2 || count > 4) return info;
  if (pos >= head.size() || head[pos] != '$') return info;
  ++pos;
  std::int64_t len = 0;
  if (!read_line(head, pos, line) || !read_int(line, len) || len < 7 || len > 12) return info;
  if (pos + static_cast<std::size_t>(len) + 2 > head.size()) return info;
  const std::string_view name = head.substr(pos, static_cast<std::size_t>(len));
  pos += static_cast<std::size_t>(len) + 2;
  using protocol::iequals;
  if (iequals(name, "message") || iequals(name, "pmessage") || iequals(name, "smessage")) {
    info.kind = PubsubFrame::kMessage;
    return info;
  }
  if (count != 3) return info;
  if (iequals(name, "subscribe") || iequals(name, "psubscribe") || iequals(name, "unsubscribe") ||
      iequals(name, "punsubscribe")) {
    info.kind = PubsubFrame::kConfirm;
    info.pattern = name[0] == 'p' || name[0] == 'P';
  } else if (iequals(name, "ssubscribe") || iequals(name, "sunsubscribe")) {
    info.kind = PubsubFrame::kShardConfirm;
  } else {
    return info;
  }
  if (skip_channel(head, pos) && pos < head.size() && head[pos] == ':') {
    ++pos;
    if (read_line(head, pos, line) && read_int(line, count)) info.count = count;
  }
  return info;
}

}  // namespace sp::proxy

#include "proxy/session/blocking_retry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "protocol/command_table.h"
#include "protocol/number.h"
#include "protocol/request_parser.h"
#include "protocol/writer.h"

namespace sp::proxy {
namespace {

using protocol::iequals;

enum class TimeoutUnit { kSeconds, kMilliseconds };

// Where a blocking command keeps its timeout: an argument index, or none.
struct TimeoutArg {
  std::size_t index = 0;
  TimeoutUnit unit = TimeoutUnit::kSeconds;
};

std::optional<TimeoutArg> timeout_arg(std::span<const std::string_view> args) {
  if (args.empty()) return std::nullopt;
  const std::string_view name = args[0];
  for (const char* last : {"blpop", "brpop", "bzpopmin", "bzpopmax", "blmove", "brpoplpush"}) {
    if (iequals(name, last) && args.size() >= 3) return TimeoutArg{args.size() - 1};
  }
  if ((iequals(name, "blmpop") || iequals(name, "bzmpop")) && args.size() >= 2) {
    return TimeoutArg{1};
  }
  if (iequals(name, "xread") || iequals(name, "xreadgroup")) {
    for (std::size_t i = 1; i + 1 < args.size(); ++i) {
      if (iequals(args[i], "streams")) break;
      if (iequals(args[i], "block")) return TimeoutArg{i + 1, TimeoutUnit::kMilliseconds};
    }
  }
  return std::nullopt;
}

// The timeout in milliseconds as Redis reads it; nullopt when Redis would refuse it.
std::optional<double> timeout_ms(std::string_view text, TimeoutUnit unit) {
  if (unit == TimeoutUnit::kMilliseconds) {
    std::int64_t ms = 0;
    if (!protocol::parse_int64(text, ms) || ms < 0) return std::nullopt;
    return static_cast<double>(ms);
  }
  const std::string copy(text);  // strtod needs a terminator
  char* end = nullptr;
  const double seconds = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size() || !std::isfinite(seconds) || seconds < 0) {
    return std::nullopt;
  }
  return seconds * 1000.0;
}

std::string format_timeout(std::int64_t ms, TimeoutUnit unit) {
  if (unit == TimeoutUnit::kMilliseconds) return std::to_string(ms);
  // Whole milliseconds as seconds with three decimals: exact in Redis's own conversion.
  std::string text = std::to_string(ms / 1000) + ".";
  const std::string fraction = std::to_string(ms % 1000);
  return text + std::string(3 - fraction.size(), '0') + fraction;
}

}  // namespace

bool is_key_blocking_command(std::string_view name) {
  for (const char* blocking : {"blpop", "brpop", "bzpopmin", "bzpopmax", "blmove", "brpoplpush",
                               "blmpop", "bzmpop", "xread", "xreadgroup"}) {
    if (iequals(name, blocking)) return true;
  }
  return false;
}

bool is_key_blocking_request(std::string_view request) {
  protocol::RequestParser parser;
  return parser.parse(request).status == protocol::ParseStatus::kComplete &&
         !parser.args().empty() && is_key_blocking_command(parser.args()[0]);
}

std::optional<std::string> with_remaining_timeout(std::string_view request,
                                                  std::chrono::milliseconds waited) {
  protocol::RequestParser parser;
  const auto parsed = parser.parse(request);
  if (parsed.status != protocol::ParseStatus::kComplete) return std::nullopt;
  const auto args = parser.args();
  const auto where = timeout_arg(args);
  if (!where) return std::nullopt;
  const auto total = timeout_ms(args[where->index], where->unit);
  if (!total || *total == 0) return std::nullopt;  // refused by Redis, or forever
  const double left = std::ceil(*total) - static_cast<double>(waited.count());
  const auto remaining = static_cast<std::int64_t>(std::max(1.0, left));
  std::vector<std::string_view> rewritten(args.begin(), args.end());
  const std::string timeout = format_timeout(remaining, where->unit);
  rewritten[where->index] = timeout;
  std::string out;
  protocol::RespWriter(out).command(rewritten);
  return out;
}

void retime_blocking_commands(RetryBatch& batch, Clock::time_point now) {
  std::string requests;
  std::size_t at = 0;
  for (auto& command : batch.commands) {
    const std::string_view bytes = std::string_view(batch.requests).substr(at, command.length);
    at += command.length;
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - command.start);
    const auto retimed = with_remaining_timeout(bytes, waited);
    requests.append(retimed ? std::string_view(*retimed) : bytes);
    if (retimed) command.length = static_cast<std::uint32_t>(retimed->size());
  }
  batch.requests = std::move(requests);
}

}  // namespace sp::proxy

#include "sentinel/io/config/server_directives.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "protocol/command_table.h"
#include "protocol/inline_args.h"

namespace sp::sentinel::io {
namespace {

// How a standard config's value is parsed (mirrors config.c's typeInterface families).
enum class Kind {
  kBool,
  kEnum,
  kString,
  kInteger,          // string2ll, then bounds
  kMemory,           // memtoull (a plain number or 1k, 5gb, ...), then bounds
  kMemoryOrPercent,  // as kMemory, or "N%" (maxmemory-clients)
  kOctal,            // unixsocketperm
  kEnumFlags,        // one or more words of an enum (shutdown-on-sigint)
  kSpecial,          // its own setter below
};

struct StandardConfig {
  std::string_view name;
  std::string_view alias;
  Kind kind;
  long long lower = 0;
  long long upper = 0;
  // Bounds compared as unsigned (config.c does so for uint, size_t and unsigned long long).
  bool unsigned_bounds = false;
  std::string_view enum_values = {};  // ", "-separated, as Redis lists them in its error
};

constexpr long long kIntMax = INT_MAX;
constexpr long long kLongMax = LONG_MAX;
constexpr long long kLLongMax = LLONG_MAX;
constexpr long long kUIntMax = UINT_MAX;
constexpr long long kULLongMax = -1;  // ULLONG_MAX once compared as unsigned

constexpr std::string_view kProtectedAction = "no, yes, local";
constexpr std::string_view kShutdownFlags = "default, save, nosave, now, force";

#include "sentinel/io/config/server_directive_table.inc"

// Special configs that take any number of words (MULTI_ARG_CONFIG).
bool multi_arg(std::string_view name) {
  return name == "save" || name == "client-output-buffer-limit" || name == "oom-score-adj-values" ||
         name == "bind" || name == "replicaof" || name == "latency-tracking-info-percentiles";
}

const StandardConfig* lookup(std::string_view name) {
  for (const StandardConfig& c : kConfigs) {
    if (c.name == name || (!c.alias.empty() && c.alias == name)) return &c;
  }
  return nullptr;
}

// mirrors string2ll: an optional '-', then digits without a leading zero, no overflow.
std::optional<long long> strict_integer(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s == "0") return 0;
  std::size_t i = s[0] == '-' ? 1 : 0;
  if (i >= s.size() || s[i] < '1' || s[i] > '9') return std::nullopt;
  unsigned long long v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    const unsigned long long next = v * 10 + static_cast<unsigned long long>(s[i] - '0');
    if (next / 10 != v) return std::nullopt;
    v = next;
  }
  if (s[0] == '-') {
    if (v > static_cast<unsigned long long>(LLONG_MAX) + 1) return std::nullopt;
    return static_cast<long long>(0 - v);
  }
  if (v > static_cast<unsigned long long>(LLONG_MAX)) return std::nullopt;
  return static_cast<long long>(v);
}

// mirrors memtoull: a number with an optional b, k, kb, m, mb, g or gb (any case).
std::optional<unsigned long long> memory_value(std::string_view s) {
  std::size_t digits = 0;
  while (digits < s.size() && !std::isalpha(static_cast<unsigned char>(s[digits]))) ++digits;
  const std::string unit = protocol::to_lower(s.substr(digits));
  unsigned long long mul = 1;
  if (unit.empty() || unit == "b") {
    mul = 1;
  } else if (unit == "k") {
    mul = 1000;
  } else if (unit == "kb") {
    mul = 1024;
  } else if (unit == "m") {
    mul = 1000ull * 1000;
  } else if (unit == "mb") {
    mul = 1024ull * 1024;
  } else if (unit == "g") {
    mul = 1000ull * 1000 * 1000;
  } else if (unit == "gb") {
    mul = 1024ull * 1024 * 1024;
  } else {
    return std::nullopt;
  }
  const std::string number(s.substr(0, digits));
  if (number.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(number.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) return std::nullopt;
  return v * mul;
}

// mirrors numericParseString and numericBoundaryCheck.
std::string check_numeric(const StandardConfig& c, const std::string& value) {
  std::optional<long long> v;
  if (c.kind == Kind::kMemory || c.kind == Kind::kMemoryOrPercent) {
    if (auto m = memory_value(value)) v = static_cast<long long>(*m);
  }
  if (!v && c.kind == Kind::kMemoryOrPercent && value.size() > 1 && value.back() == '%') {
    auto p = strict_integer(std::string_view(value).substr(0, value.size() - 1));
    if (p && *p >= 0) v = -*p;
  }
  if (!v && c.kind == Kind::kOctal) {
    char* end = nullptr;
    errno = 0;
    const long long o = std::strtoll(value.c_str(), &end, 8);
    if (errno == 0 && *end == '\0') v = o;
  }
  if (!v && c.kind == Kind::kInteger) v = strict_integer(value);
  if (!v) {
    if (c.kind == Kind::kMemoryOrPercent) return "argument must be a memory or percent value";
    if (c.kind == Kind::kMemory) return "argument must be a memory value";
    if (c.kind == Kind::kOctal) return "argument couldn't be parsed as an octal number";
    return "argument couldn't be parsed into an integer";
  }
  char text[128];
  if (c.unsigned_bounds) {
    const auto u = static_cast<unsigned long long>(*v);
    const auto lo = static_cast<unsigned long long>(c.lower);
    const auto hi = static_cast<unsigned long long>(c.upper);
    if (u >= lo && u <= hi) return "";
    std::snprintf(text, sizeof text,
                  c.kind == Kind::kOctal ? "argument must be between %llo and %llo inclusive"
                                         : "argument must be between %llu and %llu inclusive",
                  lo, hi);
    return text;
  }
  if (c.kind == Kind::kMemoryOrPercent && *v < 0) {
    if (*v >= c.lower) return "";
    std::snprintf(text, sizeof text, "percentage argument must be less or equal to %lld", -c.lower);
    return text;
  }
  if (*v >= c.lower && *v <= c.upper) return "";
  std::snprintf(text, sizeof text, "argument must be between %lld and %lld inclusive", c.lower,
                c.upper);
  return text;
}

std::string check_enum(const StandardConfig& c, const std::string& value) {
  const std::string v = protocol::to_lower(value);
  std::string_view rest = c.enum_values;
  while (!rest.empty()) {
    const auto comma = rest.find(", ");
    if (rest.substr(0, comma) == v) return "";
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
  }
  return "argument(s) must be one of the following: " + std::string(c.enum_values);
}

bool is_integer_text(const std::string& s, long long& out) {
  char* end = nullptr;
  out = std::strtoll(s.c_str(), &end, 10);
  return *end == '\0';
}

// mirrors setConfigSaveOption: pairs of <seconds >= 1> <changes >= 0>, or "" for none.
std::string check_save(const std::vector<std::string>& values) {
  if (values.size() == 1 && values[0].empty()) return "";
  if (values.size() % 2 != 0) return "Invalid save parameters";
  for (std::size_t i = 0; i < values.size(); ++i) {
    long long v = 0;
    if (!is_integer_text(values[i], v) || v < (i % 2 == 0 ? 1 : 0)) {
      return "Invalid save parameters";
    }
  }
  return "";
}

// mirrors updateClientOutputBufferLimit.
std::string check_output_buffer_limit(const std::vector<std::string>& values) {
  if (values.size() % 4 != 0) return "Wrong number of arguments in buffer limit configuration.";
  for (std::size_t i = 0; i < values.size(); i += 4) {
    const std::string cls = protocol::to_lower(values[i]);
    if (cls != "normal" && cls != "slave" && cls != "replica" && cls != "pubsub") {
      return "Invalid client class specified in buffer limit configuration.";
    }
    long long seconds = 0;
    if (!memory_value(values[i + 1]) || !memory_value(values[i + 2]) ||
        !is_integer_text(values[i + 3], seconds) || seconds < 0) {
      return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
    }
  }
  return "";
}

std::string check_oom_values(const std::vector<std::string>& values) {
  if (values.size() != 3) return "wrong number of arguments";
  for (const std::string& value : values) {
    long long v = 0;
    if (!is_integer_text(value, v) || v < -2000 || v > 2000) {
      return "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
    }
  }
  return "";
}

// mirrors keyspaceEventsStringToFlags.
std::string check_notify_events(const std::string& value) {
  for (char c : value) {
    if (std::string_view("Ag$lshzxeKEtmdn").find(c) == std::string_view::npos) {
      return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
    }
  }
  return "";
}

std::string check_replicaof(const std::vector<std::string>& values) {
  if (values.size() != 2) return "wrong number of arguments";
  if (protocol::to_lower(values[0]) == "no" && protocol::to_lower(values[1]) == "one") return "";
  long long port = 0;
  if (!is_integer_text(values[1], port) || port < 0 || port > 65535) return "Invalid master port";
  return "";
}

std::string check_percentiles(const std::vector<std::string>& values) {
  if (values.size() == 1 && values[0].empty()) return "";
  for (const std::string& value : values) {
    char* end = nullptr;
    const double p = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || std::isspace(static_cast<unsigned char>(value[0]))) {
      return "Invalid latency-tracking-info-percentiles parameters";
    }
    if (p > 100.0 || p < 0.0) {
      return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
    }
  }
  return "";
}

std::string check_special(std::string_view name, const std::vector<std::string>& values) {
  if (name == "save") return check_save(values);
  if (name == "client-output-buffer-limit") return check_output_buffer_limit(values);
  if (name == "oom-score-adj-values") return check_oom_values(values);
  if (name == "notify-keyspace-events") return check_notify_events(values.at(0));
  if (name == "bind") return values.size() > 16 ? "Too many bind addresses specified." : "";
  if (name == "replicaof") return check_replicaof(values);
  if (name == "latency-tracking-info-percentiles") return check_percentiles(values);
  return "";  // dir: the caller's chdir decides
}

std::string check_standard(const StandardConfig& c, const std::vector<std::string>& args) {
  const bool multi = (c.kind == Kind::kSpecial && multi_arg(c.name)) || c.kind == Kind::kEnumFlags;
  if (!multi && args.size() != 2) return "wrong number of arguments";
  std::vector<std::string> values(args.begin() + 1, args.end());
  // A multi-word config given as one quoted word is split (as `--save "900 1"`).
  if (multi && values.size() == 1 && !values[0].empty()) {
    std::vector<std::string> split;
    if (!protocol::split_inline_args(values[0], split)) return "Invalid argument";
    values = std::move(split);
  }
  switch (c.kind) {
    case Kind::kBool: {
      const std::string v = protocol::to_lower(values[0]);
      return v == "yes" || v == "no" ? "" : "argument must be 'yes' or 'no'";
    }
    case Kind::kEnum:
      return check_enum(c, values[0]);
    case Kind::kEnumFlags:
      if (values.empty()) return check_enum(c, "");
      for (const std::string& v : values) {
        if (std::string error = check_enum(c, v); !error.empty()) return error;
      }
      return "";
    case Kind::kString:
      return "";
    case Kind::kSpecial:
      return check_special(c.name, values);
    default:
      return check_numeric(c, values[0]);
  }
}

// String configs whose empty value means "none" (EMPTY_STRING_IS_NULL is the default in
// config.c; these few keep an empty string).
bool empty_string_allowed(std::string_view name) {
  return name == "aclfile" || name == "cluster-config-file" || name == "syslog-ident" ||
         name == "dbfilename" || name == "appendfilename" || name == "appenddirname" ||
         name == "ignore-warnings" || name == "proc-title-template" || name == "logfile";
}

// mirrors rewriteConfigFormatMemory.
std::string memory_text(long long bytes) {
  constexpr long long kGb = 1024LL * 1024 * 1024, kMb = 1024LL * 1024, kKb = 1024;
  if (bytes != 0 && bytes % kGb == 0) return std::to_string(bytes / kGb) + "gb";
  if (bytes != 0 && bytes % kMb == 0) return std::to_string(bytes / kMb) + "mb";
  if (bytes != 0 && bytes % kKb == 0) return std::to_string(bytes / kKb) + "kb";
  return std::to_string(bytes);
}

// The value of a checked numeric line as Redis writes it back.
std::string numeric_text(const StandardConfig& c, const std::string& value) {
  if (c.kind == Kind::kOctal) {
    char text[32];
    std::snprintf(text, sizeof text, "%llo", std::strtoull(value.c_str(), nullptr, 8));
    return text;
  }
  if (c.kind == Kind::kInteger) return std::to_string(*strict_integer(value));
  if (auto m = memory_value(value)) return memory_text(static_cast<long long>(*m));
  return value;  // a percentage, already as Redis writes it
}

std::string joined(const std::vector<std::string>& words, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < words.size(); ++i) out += (i > from ? " " : "") + words[i];
  return out;
}

}  // namespace

RewrittenLine rewrite_server_line(const std::vector<std::string>& args) {
  using Action = RewrittenLine::Action;
  const std::string name = protocol::to_lower(args.at(0));
  const StandardConfig* c = lookup(name);
  if (c == nullptr) {
    const bool owned_elsewhere = name == "include" || name == "rename-command" || name == "user" ||
                                 name == "loadmodule" || name == "sentinel";
    return {owned_elsewhere ? Action::kKept : Action::kNotAConfig, name, ""};
  }
  const std::string key(c->name);
  const std::string& value = args.size() > 1 ? args[1] : std::string();
  switch (c->kind) {
    case Kind::kBool:
      return {Action::kRewritten, key, key + " " + protocol::to_lower(value)};
    case Kind::kEnum:
      return {Action::kRewritten, key, key + " " + protocol::to_lower(value)};
    case Kind::kEnumFlags:
      return {Action::kRewritten, key, key + " " + protocol::to_lower(joined(args, 1))};
    case Kind::kString:
      if (value.empty() && !empty_string_allowed(key)) return {Action::kDropped, key, ""};
      return {Action::kRewritten, key, key + " " + quoted_repr(value)};
    case Kind::kSpecial:
      // Sentinel mode saves nothing: its `save` lines go.
      if (key == "save") return {Action::kDropped, key, ""};
      return {Action::kRewritten, key, key + " " + joined(args, 1)};
    default:
      return {Action::kRewritten, key, key + " " + numeric_text(*c, value)};
  }
}

std::string check_server_directive(const std::vector<std::string>& args) {
  if (args.empty()) return "";
  const std::string name = protocol::to_lower(args[0]);
  const std::size_t n = args.size();
  if (const StandardConfig* c = lookup(name)) return check_standard(*c, args);
  // Names Redis 7.0 dropped but still tolerates, with exactly one value.
  if ((name == "list-max-ziplist-entries" || name == "list-max-ziplist-value" ||
       name == "lua-replicate-commands") &&
      n == 2) {
    return "";
  }
  if ((name == "include" && n == 2) || (name == "rename-command" && n == 3) ||
      (name == "user" && n >= 2) || (name == "loadmodule" && n >= 2) || name == "sentinel") {
    return "";
  }
  // A module's config (`<module>.<name> <value>`), queued until the module loads.
  if (name.find('.') != std::string::npos) return "";
  return "Bad directive or wrong number of arguments";
}

}  // namespace sp::sentinel::io

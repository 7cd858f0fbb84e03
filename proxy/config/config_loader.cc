#include "proxy/config/config_loader.h"

#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "common/parse_number.h"
#include "protocol/command_table.h"
#include "protocol/inline_args.h"
#include "proxy/follow/sentinel_answers.h"

namespace sp::proxy {
namespace {

// redis-server directives an operator may carry over from a redis.conf, which proxy mode
// does not honour: refused with the reason rather than as unknown (never ignored).
std::string_view not_in_proxy_mode(std::string_view name) {
  if (name == "unixsocket" || name == "unixsocketperm") {
    return "clients connect over TCP only (port, bind)";
  }
  if (name == "requirepass" || name == "masterauth" || name == "masteruser" || name == "user" ||
      name == "aclfile") {
    return "the master's own users and passwords apply: clients authenticate to the master "
           "through the proxy (README.md, Security)";
  }
  if (name == "save" || name == "appendonly" || name == "dbfilename" || name == "maxmemory" ||
      name == "replicaof" || name == "slaveof" || name == "databases") {
    return "it is about the data Redis keeps, which the proxy does not hold";
  }
  return {};
}

template <typename Int>
std::optional<Int> parse_int(std::string_view text, Int min, Int max) {
  const auto value = parse_number<Int>(text);
  if (!value || *value < min || *value > max) return std::nullopt;
  return value;
}

std::string bad_arity(const std::string& name) {
  return "wrong number of arguments for '" + name + "'";
}

std::string apply_output_limit(Config& config, const std::vector<std::string>& args) {
  if (args.size() != 5) return bad_arity(args[0]);
  if (protocol::to_lower(args[1]) != "normal") {
    return "only the 'normal' class applies to a proxy's clients, got '" + args[1] + "'";
  }
  auto hard = parse_size(args[2]);
  auto soft = parse_size(args[3]);
  auto secs = parse_int<std::int64_t>(args[4], 0, 1'000'000'000);
  if (!hard || !soft || !secs) return "invalid client-output-buffer-limit values";
  config.client_output_buffer_limit = {*hard, *soft, std::chrono::seconds(*secs)};
  return {};
}

// Follow mode takes the master from existing sentinels, so a fixed master or a sentinel
// of the proxy's own would be a second, conflicting source: refused whichever comes first.
constexpr const char* kFollowAndUpstream =
    "'sentinel-follow' and 'upstream' exclude each other: the followed sentinels name the "
    "master";
constexpr const char* kFollowAndSentinel =
    "'sentinel-follow' and 'sentinel ...' lines (such as 'sentinel monitor') exclude each "
    "other: follow mode asks existing sentinels and runs none of its own";

// `sentinel-follow <name> <host:port> [<host:port> ...]`
std::string apply_follow(Config& config, const std::vector<std::string>& args) {
  if (args.size() < 3) return bad_arity(args[0]);
  if (config.upstream_given) return kFollowAndUpstream;
  for (const auto& directive : config.sentinel_directives) {
    if (protocol::to_lower(directive[0]) == "sentinel") return kFollowAndSentinel;
  }
  if (args[1].empty()) return "empty sentinel-follow group name";
  std::vector<std::string> sentinels;
  for (std::size_t i = 2; i < args.size(); ++i) {
    if (!split_host_port(args[i])) {
      return "invalid sentinel address '" + args[i] + "' (host:port)";
    }
    sentinels.push_back(args[i]);
  }
  config.follow_name = args[1];
  config.group_name = args[1];
  config.follow_sentinels = std::move(sentinels);
  return {};
}

// A directive of integer_range(), parsed within it.
template <typename Int>
std::optional<Int> parse_ranged(std::string_view name, std::string_view text) {
  const IntegerRange range = *integer_range(name);
  return parse_int<Int>(text, static_cast<Int>(range.min), static_cast<Int>(range.max));
}

std::optional<LogLevel> parse_loglevel(std::string_view text) {
  for (auto level : {LogLevel::kDebug, LogLevel::kVerbose, LogLevel::kNotice, LogLevel::kWarning,
                     LogLevel::kNothing}) {
    if (text == to_string(level)) return level;
  }
  return std::nullopt;
}

// Directives with exactly one argument; the caller checked the arity.
std::string apply_single(Config& config, const std::string& name, const std::string& v) {
  if (name == "port" || name == "tls-port") {
    auto p = parse_int<std::uint16_t>(v, 0, 65535);
    if (!p) return "invalid " + name + " '" + v + "'";
    (name == "port" ? config.port : config.tls_port) = *p;
  } else if (auto tls_error = tls::apply_tls_directive(config.tls, name, v)) {
    return *tls_error;
  } else if (name == "io-threads") {
    auto n = parse_int<int>(v, 1, 128);
    if (!n) return "io-threads must be between 1 and 128";
    config.io_threads = *n;
  } else if (name == "metrics-port") {
    auto p = parse_int<std::uint16_t>(v, 0, 65535);
    if (!p) return "invalid metrics-port '" + v + "'";
    config.metrics_port = *p;
  } else if (name == "metrics-bind") {
    config.metrics_bind = v;
  } else if (name == "maxclients") {
    auto n = parse_ranged<std::uint32_t>(name, v);
    if (!n) return "invalid maxclients '" + v + "'";
    config.maxclients = *n;
  } else if (name == "timeout") {
    auto n = parse_ranged<std::int64_t>(name, v);
    if (!n) return "invalid timeout '" + v + "'";
    config.timeout = std::chrono::seconds(*n);
  } else if (name == "tcp-keepalive") {
    auto n = parse_ranged<std::int64_t>(name, v);
    if (!n) return "invalid tcp-keepalive '" + v + "'";
    config.tcp_keepalive = std::chrono::seconds(*n);
  } else if (name == "dir") {
    // mirrors setConfigDirOption: the process works from `dir`, so the relative paths read
    // after it (logfile, pidfile) are taken from there.
    if (config.change_directory && ::chdir(v.c_str()) != 0) {
      return "dir '" + v + "': " + std::strerror(errno);
    }
  } else if (name == "connect-timeout") {
    auto n = parse_ranged<std::int64_t>(name, v);
    if (!n) return "invalid connect-timeout '" + v + "' (milliseconds, at least 1)";
    config.connect_timeout = std::chrono::milliseconds(*n);
  } else if (name == "backend-pool-size") {
    auto n = parse_int<std::uint32_t>(v, 0, 64);
    if (!n) return "invalid backend-pool-size '" + v + "' (0 to 64 connections per io thread)";
    config.backend_pool_size = *n;
  } else if (name == "failover-hold-ms") {
    auto n = parse_ranged<std::int64_t>(name, v);
    if (!n) {
      return "invalid failover-hold-ms '" + v +
             "' (milliseconds; 0 turns holding off, -1 holds for the group's failover-timeout)";
    }
    config.failover_hold = std::chrono::milliseconds(*n);
  } else if (name == "protected-mode") {
    if (v != "yes" && v != "no") return "protected-mode must be yes or no";
    config.protected_mode = v == "yes";
  } else if (name == "fence-on-minority") {
    if (v != "yes" && v != "no") return "fence-on-minority must be yes or no";
    config.fence_on_minority = v == "yes";
  } else if (name == "write-durability") {
    if (v != "async" && v != "replica") return "write-durability must be async or replica";
    config.write_durability = v == "replica";
  } else if (name == "write-durability-replicas") {
    auto n = parse_ranged<std::uint32_t>(name, v);
    if (!n) return "invalid write-durability-replicas '" + v + "' (1 to 1000 replicas)";
    config.write_durability_replicas = *n;
  } else if (name == "write-durability-timeout") {
    auto n = parse_ranged<std::int64_t>(name, v);
    if (!n) return "invalid write-durability-timeout '" + v + "' (1 to 60000 milliseconds)";
    config.write_durability_timeout = std::chrono::milliseconds(*n);
  } else if (name == "client-query-buffer-limit") {
    auto n = parse_size(v);
    if (!n || *n < 1024 * 1024) return "client-query-buffer-limit must be a size of at least 1mb";
    config.client_query_buffer_limit = *n;
  } else if (name == "proto-max-bulk-len") {
    auto n = parse_size(v);
    if (!n || *n < 1024 * 1024 || *n > (1ULL << 62)) {
      return "proto-max-bulk-len must be a size of at least 1mb";
    }
    config.proto_max_bulk_len = static_cast<std::int64_t>(*n);
  } else if (name == "tcp-backlog") {
    auto n = parse_int<int>(v, 1, 65535);
    if (!n) return "invalid tcp-backlog '" + v + "'";
    config.tcp_backlog = *n;
  } else if (name == "loglevel") {
    auto level = parse_loglevel(protocol::to_lower(v));
    if (!level) return "invalid loglevel '" + v + "' (debug, verbose, notice, warning, nothing)";
    config.loglevel = *level;
  } else if (name == "logfile") {
    config.logfile = v;
  } else if (name == "pidfile") {
    config.pidfile = v;
  } else if (name == "syslog-enabled") {
    if (v != "yes" && v != "no") return "syslog-enabled must be yes or no";
    config.syslog_enabled = v == "yes";
  } else if (name == "syslog-ident") {
    config.syslog_ident = v;
  } else if (name == "syslog-facility") {
    const std::string facility = protocol::to_lower(v);
    if (!syslog_facility_code(facility)) {
      return "syslog-facility must be one of the following: user, local0, local1, local2, "
             "local3, local4, local5, local6, local7";
    }
    config.syslog_facility = facility;
  } else if (name == "daemonize") {
    if (v != "yes" && v != "no") return "daemonize must be yes or no";
    config.daemonize = v == "yes";
  } else if (name == "supervised") {
    const std::string mode = protocol::to_lower(v);
    if (mode == "systemd") {
      config.supervised = Supervised::kSystemd;
    } else if (mode == "auto") {
      config.supervised = Supervised::kAuto;
    } else if (mode == "no") {
      config.supervised = Supervised::kNo;
    } else {
      return "invalid supervised '" + v + "' (systemd, auto, no; upstart is not supported)";
    }
  } else if (const std::string_view why = not_in_proxy_mode(name); !why.empty()) {
    return "'" + name +
           "' is a redis-server directive proxy mode does not honour: " + std::string(why);
  } else {
    return "unknown directive '" + name + "'";
  }
  return {};
}

}  // namespace

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kVerbose:
      return "verbose";
    case LogLevel::kNotice:
      return "notice";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kNothing:
      return "nothing";
  }
  return "unknown";
}

std::optional<IntegerRange> integer_range(std::string_view name) {
  if (name == "maxclients") return IntegerRange{1, 10'000'000};
  if (name == "timeout") return IntegerRange{0, 100'000'000};
  if (name == "tcp-keepalive") return IntegerRange{0, std::numeric_limits<int>::max()};
  if (name == "connect-timeout") return IntegerRange{1, 3'600'000};
  if (name == "failover-hold-ms") return IntegerRange{-1, 86'400'000};
  if (name == "write-durability-replicas") return IntegerRange{1, 1000};
  if (name == "write-durability-timeout") return IntegerRange{1, 60'000};
  return std::nullopt;
}

std::optional<int> syslog_facility_code(std::string_view name) {
  static constexpr int kLocal[] = {LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
                                   LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7};
  if (name == "user") return LOG_USER;
  if (name.size() == 6 && name.starts_with("local") && name[5] >= '0' && name[5] <= '7') {
    return kLocal[name[5] - '0'];
  }
  return std::nullopt;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  auto number = parse_int<std::uint64_t>(text.substr(0, digits), 0, UINT64_MAX);
  if (!number) return std::nullopt;
  const std::string unit = protocol::to_lower(text.substr(digits));
  std::uint64_t mul = 1;
  if (unit.empty() || unit == "b")
    mul = 1;
  else if (unit == "k")
    mul = 1000;
  else if (unit == "kb")
    mul = 1024;
  else if (unit == "m")
    mul = 1000 * 1000;
  else if (unit == "mb")
    mul = 1024 * 1024;
  else if (unit == "g")
    mul = 1000ULL * 1000 * 1000;
  else if (unit == "gb")
    mul = 1024ULL * 1024 * 1024;
  else
    return std::nullopt;
  if (*number > UINT64_MAX / mul) return std::nullopt;
  return *number * mul;
}

std::string apply_directive(Config& config, const std::vector<std::string>& args) {
  if (args.empty()) return "empty directive";
  const std::string name = protocol::to_lower(args[0]);
  if (name == "bind") {
    if (args.size() < 2) return bad_arity(name);
    config.bind.assign(args.begin() + 1, args.end());
    return {};
  }
  if (name == "sentinel-follow") return apply_follow(config, args);
  if (name == "upstream") {
    if (args.size() != 3 && args.size() != 4) return bad_arity(name);
    if (!config.follow_name.empty()) return kFollowAndUpstream;
    auto p = parse_int<std::uint16_t>(args[2], 1, 65535);
    if (!p) return "invalid upstream port '" + args[2] + "'";
    if (args[1].empty()) return "empty upstream host";
    config.upstream_host = args[1];
    config.upstream_port = *p;
    if (args.size() == 4) config.group_name = args[3];
    config.upstream_given = true;
    return {};
  }
  if (name == "client-output-buffer-limit") return apply_output_limit(config, args);
  if (name == "sentinel") {
    // Sentinel's own directives (sentinel monitor, down-after-milliseconds, ...): kept
    // for the sentinel's loader, which checks them (sentinel/io/sentinel_config).
    if (args.size() < 2) return bad_arity(name);
    if (!config.follow_name.empty()) return kFollowAndSentinel;
    config.sentinel_directives.push_back(args);
    return {};
  }
  if (name == "user") {
    // ACL users of the sentinel port (the client port passes AUTH through to Redis);
    // written back by the sentinel with its state, so they are its directives too.
    if (args.size() < 2) return bad_arity(name);
    config.sentinel_directives.push_back(args);
    return {};
  }
  if ((name == "sentinel-port" || name == "sentinel-tls-port") && args.size() == 2) {
    auto p = parse_int<std::uint16_t>(args[1], 0, 65535);
    if (!p) return "invalid " + name + " '" + args[1] + "'";
    (name == "sentinel-port" ? config.sentinel_port : config.sentinel_tls_port) = *p;
    return {};
  }
  if (name == "sentinel-follow-user" && args.size() == 2) {
    config.follow_user = args[1];
    return {};
  }
  if (name == "sentinel-follow-pass" && args.size() == 2) {
    config.follow_pass = args[1];
    return {};
  }
  if (name == "rename-command") {
    if (args.size() != 3) return bad_arity(name);
    return config.proxy_commands.rename(args[1], args[2]);
  }
  if (name == "proxy-group" && args.size() == 2) {
    config.proxy_group = args[1];
    return {};
  }
  if (args.size() != 2) {
    // Probe on a copy: only whether the name is known matters, and a refused directive
    // must leave the config as it was.
    Config scratch = config;
    std::string known = apply_single(scratch, name, "");
    if (known.rfind("unknown directive", 0) == 0 || !not_in_proxy_mode(name).empty()) {
      return known;
    }
    return bad_arity(name);
  }
  return apply_single(config, name, args[1]);
}

void apply_config_text(Config& config, std::string_view text, std::string_view source) {
  std::vector<std::string> args;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    ++line_no;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) {
      line.remove_prefix(1);
    }
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) {
      line.remove_suffix(1);
    }
    if (line.empty() || line.front() == '#') continue;
    std::string error;
    if (!protocol::split_inline_args(line, args)) {
      error = "unbalanced quotes";
    } else if (!args.empty()) {
      error = apply_directive(config, args);
    }
    if (!error.empty()) {
      std::ostringstream msg;
      msg << source << ":" << line_no << ": " << error << " (>>> '" << line << "')";
      throw ConfigError(msg.str());
    }
  }
}

void apply_config_file(Config& config, const std::string& path) {
  // A directory opens as a stream and reads as empty: say what it is.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ConfigError(path + ": cannot read the config file: Is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open the config file");
  std::ostringstream text;
  text << in.rdbuf();
  apply_config_text(config, text.str(), path);
}

Config read_config_again(const Config& running) {
  Config fresh;
  fresh.change_directory = false;
  fresh.config_file = running.config_file;
  fresh.command_line = running.command_line;
  if (!fresh.config_file.empty()) apply_config_file(fresh, fresh.config_file);
  apply_config_text(fresh, fresh.command_line, "command line");
  return fresh;
}

std::string command_line_to_text(const std::vector<std::string>& args) {
  std::string text;
  bool first = true;
  for (const auto& arg : args) {
    if (arg.rfind("--", 0) == 0) {
      if (!first) text += '\n';
      text += arg.substr(2);
      first = false;
      continue;
    }
    // Quoted and escaped as Redis's sdscatrepr does, so that spaces, quotes and line
    // breaks inside a value survive the line split and the argument split.
    text += " \"";
    for (char c : arg) {
      const auto byte = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        text += '\\';
        text += c;
      } else if (c == '\n') {
        text += "\\n";
      } else if (c == '\r') {
        text += "\\r";
      } else if (byte < 0x20 || byte >= 0x7f) {
        static constexpr char kHex[] = "0123456789abcdef";
        text += "\\x";
        text += kHex[byte >> 4];
        text += kHex[byte & 0xf];
      } else {
        text += c;
      }
    }
    text += '"';
  }
  return text;
}

}  // namespace sp::proxy

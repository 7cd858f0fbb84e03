#include "proxy/config/runtime_config.h"

#include <algorithm>

#include <cstdint>
#include <iterator>
#include <utility>

#include "common/parse_number.h"
#include "protocol/command_table.h"
#include "protocol/config_rewrite.h"
#include "protocol/glob_match.h"
#include "protocol/inline_args.h"
#include "proxy/config/config_loader.h"

namespace sp::proxy {
namespace {

using Words = std::vector<std::string>;

// One setting as CONFIG sees it: its directive, whether it can change while clients are
// connected, and its value as the directive's words (which the directive reads back).
struct Setting {
  std::string_view name;
  bool live;
  Words (*words)(const Config&);
};

std::string yes_no(bool value) {
  return value ? "yes" : "no";
}

std::string_view supervised_name(Supervised mode) {
  switch (mode) {
    case Supervised::kSystemd:
      return "systemd";
    case Supervised::kAuto:
      return "auto";
    case Supervised::kNo:
      break;
  }
  return "no";
}

std::vector<Setting> base_settings() {
  using std::to_string;
  return {
      {"maxclients", true, [](const Config& c) -> Words { return {to_string(c.maxclients)}; }},
      {"timeout", true, [](const Config& c) -> Words { return {to_string(c.timeout.count())}; }},
      {"tcp-keepalive", true,
       [](const Config& c) -> Words { return {to_string(c.tcp_keepalive.count())}; }},
      {"connect-timeout", true,
       [](const Config& c) -> Words { return {to_string(c.connect_timeout.count())}; }},
      {"failover-hold-ms", true,
       [](const Config& c) -> Words { return {to_string(c.failover_hold.count())}; }},
      {"fence-on-minority", true,
       [](const Config& c) -> Words { return {yes_no(c.fence_on_minority)}; }},
      {"write-durability", true,
       [](const Config& c) -> Words { return {c.write_durability ? "replica" : "async"}; }},
      {"write-durability-replicas", true,
       [](const Config& c) -> Words { return {to_string(c.write_durability_replicas)}; }},
      {"write-durability-timeout", true,
       [](const Config& c) -> Words { return {to_string(c.write_durability_timeout.count())}; }},
      {"protected-mode", true, [](const Config& c) -> Words { return {yes_no(c.protected_mode)}; }},
      {"client-query-buffer-limit", true,
       [](const Config& c) -> Words { return {to_string(c.client_query_buffer_limit)}; }},
      {"client-output-buffer-limit", true,
       [](const Config& c) -> Words {
         const OutputBufferLimit& l = c.client_output_buffer_limit;
         return {"normal", to_string(l.hard), to_string(l.soft), to_string(l.soft_seconds.count())};
       }},
      {"proto-max-bulk-len", true,
       [](const Config& c) -> Words { return {to_string(c.proto_max_bulk_len)}; }},
      {"loglevel", true,
       [](const Config& c) -> Words { return {std::string(to_string(c.loglevel))}; }},
      {"bind", false, [](const Config& c) -> Words { return c.bind; }},
      {"port", false, [](const Config& c) -> Words { return {to_string(c.port)}; }},
      {"io-threads", false, [](const Config& c) -> Words { return {to_string(c.io_threads)}; }},
      {"backend-pool-size", false,
       [](const Config& c) -> Words { return {to_string(c.backend_pool_size)}; }},
      {"tcp-backlog", false, [](const Config& c) -> Words { return {to_string(c.tcp_backlog)}; }},
      {"metrics-bind", false, [](const Config& c) -> Words { return {c.metrics_bind}; }},
      {"metrics-port", false, [](const Config& c) -> Words { return {to_string(c.metrics_port)}; }},
      {"sentinel-port", false,
       [](const Config& c) -> Words { return {to_string(c.sentinel_port)}; }},
      {"logfile", false, [](const Config& c) -> Words { return {c.logfile}; }},
      {"syslog-enabled", false,
       [](const Config& c) -> Words { return {yes_no(c.syslog_enabled)}; }},
      {"syslog-ident", false, [](const Config& c) -> Words { return {c.syslog_ident}; }},
      {"syslog-facility", false, [](const Config& c) -> Words { return {c.syslog_facility}; }},
      {"pidfile", false, [](const Config& c) -> Words { return {c.pidfile}; }},
      {"daemonize", false, [](const Config& c) -> Words { return {yes_no(c.daemonize)}; }},
      {"supervised", false,
       [](const Config& c) -> Words { return {std::string(supervised_name(c.supervised))}; }},
  };
}

// A tls-* directive's value (tls::kTlsDirectives[I]).
template <std::size_t I>
Words tls_words(const Config& c) {
  return {*tls::tls_directive_value(c.tls, tls::kTlsDirectives[I])};
}

template <std::size_t... I>
void add_tls_settings(std::vector<Setting>& table, std::index_sequence<I...>) {
  (table.push_back({tls::kTlsDirectives[I], false, &tls_words<I>}), ...);
}

// In the order CONFIG GET lists them: the live ones first. The tls-* ones are read again
// from the file on SIGHUP, with the certificates (Server::reload_settings).
const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = [] {
    std::vector<Setting> all = base_settings();
    all.push_back(
        {"tls-port", false, [](const Config& c) -> Words { return {std::to_string(c.tls_port)}; }});
    all.push_back({"sentinel-tls-port", false,
                   [](const Config& c) -> Words { return {std::to_string(c.sentinel_tls_port)}; }});
    add_tls_settings(all, std::make_index_sequence<std::size(tls::kTlsDirectives)>());
    return all;
  }();
  return table;
}

const Setting* find_setting(std::string_view name) {
  for (const Setting& s : settings()) {
    if (protocol::iequals(s.name, name)) return &s;
  }
  return nullptr;
}

std::string joined(const Words& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::string set_failed(std::string_view name, std::string_view why) {
  return "ERR CONFIG SET failed (possibly related to argument '" + std::string(name) + "') - " +
         std::string(why);
}

// What Redis says of a value its CONFIG SET cannot take, for the live settings' kinds;
// "" when the value is of the right kind (the directive then checks the rest).
std::string redis_value_error(std::string_view name, std::string_view value) {
  if (const auto range = integer_range(name)) {
    const auto n = parse_number<std::int64_t>(value);
    if (!n) return "argument couldn't be parsed into an integer";
    if (*n < range->min || *n > range->max) {
      return "argument must be between " + std::to_string(range->min) + " and " +
             std::to_string(range->max) + " inclusive";
    }
    return {};
  }
  if (name == "fence-on-minority" || name == "protected-mode") {
    return value == "yes" || value == "no" ? "" : "argument must be 'yes' or 'no'";
  }
  if (name == "write-durability") {
    return value == "async" || value == "replica" ? ""
                                                  : "argument(s) must be one of the following: "
                                                    "async, replica";
  }
  if (name == "client-query-buffer-limit" || name == "proto-max-bulk-len") {
    return parse_size(value) ? "" : "argument must be a memory value";
  }
  if (name == "loglevel") {
    for (std::string_view level : {"debug", "verbose", "notice", "warning", "nothing"}) {
      if (protocol::iequals(value, level)) return {};
    }
    return "argument(s) must be one of the following: debug, verbose, notice, warning, nothing";
  }
  if (name == "client-output-buffer-limit") {
    Words words;
    if (!protocol::split_inline_args(value, words) || words.empty() || words.size() % 4 != 0) {
      return "Wrong number of arguments in buffer limit configuration.";
    }
  }
  return {};
}

// Applies `value` (one word, or several for a setting of several words) to `config`.
std::string apply_value(Config& config, const Setting& setting, std::string_view value,
                        const MaxClientsFit& fit) {
  if (std::string error = redis_value_error(setting.name, value); !error.empty()) return error;
  Words args{std::string(setting.name)};
  if (setting.words(config).size() > 1) {
    Words words;
    if (!protocol::split_inline_args(value, words)) return "unbalanced quotes";
    args.insert(args.end(), words.begin(), words.end());
  } else {
    args.emplace_back(value);
  }
  if (std::string error = apply_directive(config, args); !error.empty()) return error;
  if (setting.name == "maxclients" && fit) {
    const std::uint32_t fitting = fit(config.maxclients);
    if (fitting < config.maxclients) {
      return "The operating system is not able to handle the specified number of clients, "
             "try with " +
             std::to_string(fitting);
    }
  }
  return {};
}

}  // namespace

std::vector<std::pair<std::string, std::string>> config_get(
    const Config& config, std::span<const std::string_view> patterns) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Setting& s : settings()) {
    const bool wanted = std::any_of(patterns.begin(), patterns.end(), [&](std::string_view p) {
      return protocol::glob_match(protocol::to_lower(p), s.name);
    });
    if (wanted) out.emplace_back(s.name, joined(s.words(config)));
  }
  return out;
}

std::string config_set(Config& config, std::span<const std::string_view> pairs,
                       const MaxClientsFit& fit) {
  if (pairs.size() < 2) return "ERR wrong number of arguments for 'proxy|config|set' command";
  if (pairs.size() % 2 != 0) return "ERR syntax error";
  // mirrors configSetCommand: every name is checked before any value is applied, an
  // unknown one first.
  for (std::size_t i = 0; i < pairs.size(); i += 2) {
    if (find_setting(pairs[i]) == nullptr) {
      return "ERR Unknown option or number of arguments for CONFIG SET - '" +
             std::string(pairs[i].substr(0, 128)) + "'";
    }
  }
  std::vector<const Setting*> chosen;
  for (std::size_t i = 0; i < pairs.size(); i += 2) {
    const Setting* s = find_setting(pairs[i]);
    if (!s->live) return set_failed(s->name, "can't set immutable config");
    if (std::find(chosen.begin(), chosen.end(), s) != chosen.end()) {
      return set_failed(s->name, "duplicate parameter");
    }
    chosen.push_back(s);
  }
  Config next = config;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    const std::string error = apply_value(next, *chosen[i], pairs[2 * i + 1], fit);
    if (!error.empty()) return set_failed(chosen[i]->name, error);
  }
  config = std::move(next);
  return {};
}

std::vector<FileChange> file_changes(const Config& before, const Config& after) {
  std::vector<FileChange> changes;
  for (const Setting& s : settings()) {
    Words was = s.words(before);
    Words now = s.words(after);
    if (was != now) changes.push_back({std::string(s.name), joined(was), joined(now), s.live});
  }
  return changes;
}

std::string apply_file_changes(Config& config, const std::vector<FileChange>& changes,
                               const MaxClientsFit& fit) {
  Config next = config;
  for (const FileChange& change : changes) {
    if (!change.live) continue;
    const Setting& setting = *find_setting(change.name);
    const std::string error = apply_value(next, setting, change.after, fit);
    if (!error.empty()) return change.name + ": " + error;
  }
  config = std::move(next);
  return {};
}

std::string render_proxy_config(const std::vector<std::string>& lines, const Config& config) {
  protocol::ConfigRewrite rewrite(
      lines, /*comment_unknown=*/false,
      [](const std::vector<std::string>& args) -> std::optional<std::string> {
        const Setting* s = find_setting(args[0]);
        if (s == nullptr || !s->live) return std::nullopt;  // kept as it is
        return std::string(s->name);
      });
  const Config defaults;
  for (const Setting& s : settings()) {
    if (!s.live) continue;
    const Words words = s.words(config);
    std::string text(s.name);
    for (const std::string& w : words) text += " " + protocol::config_word(w);
    rewrite.rewrite(std::string(s.name), text, words != s.words(defaults));
  }
  return rewrite.content();
}

}  // namespace sp::proxy

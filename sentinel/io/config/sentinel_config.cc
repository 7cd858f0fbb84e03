#include "sentinel/io/config/sentinel_config.h"

#include <fcntl.h>
#include <glob.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "common/parse_number.h"
#include "protocol/command_table.h"
#include "protocol/inline_args.h"
#include "sentinel/hello.h"
#include "sentinel/io/config/server_directives.h"
#include "sentinel/io/port/acl.h"
#include "sentinel/io/port/sentinel_command_table.h"
#include "sentinel/io/shell/host_cache.h"

namespace sp::sentinel::io {
namespace {

template <typename T>
std::optional<T> number(const std::string& s) {
  return parse_number<T>(s);
}

bool yes_no(const std::string& s) {
  return protocol::to_lower(s) == "yes" || protocol::to_lower(s) == "no";
}

// mirrors createSentinelAddr as the config loader calls it: an unresolvable hostname is
// kept (resolved again on connect) with resolve-hostnames, refused without. The lookup
// blocks, bounded: the file is read before anything else runs.
std::optional<Address> config_address(const SentinelFileConfig& config, const std::string& host,
                                      int port) {
  return make_address(
      host, port, /*accept_unresolved=*/true, config.engine.hostnames,
      [](std::string_view name) { return resolve_host_bounded(name, std::chrono::seconds(2)); });
}

GroupConfig* find_group(SentinelFileConfig& config, const std::string& name) {
  for (auto& g : config.engine.groups) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

PersistedGroup& persisted_group(SentinelFileConfig& config, const GroupConfig& group) {
  if (!config.persisted) config.persisted.emplace();
  for (auto& g : config.persisted->groups) {
    if (g.name == group.name) return g;
  }
  PersistedGroup g;
  g.name = group.name;
  g.master = group.address;
  config.persisted->groups.push_back(g);
  return config.persisted->groups.back();
}

// mirrors atoi: the leading integer of `s` (0 when there is none), the rest ignored.
long long atoi_like(const std::string& s) {
  return std::strtoll(s.c_str(), nullptr, 10);
}

// An epoch of the state file, read as Sentinel reads it (strtoull: what is not a number is
// 0), but refused above 2^63-1: the engine refuses hellos and votes past kMaxEpoch, so a
// state holding such an epoch could never be matched by a peer again, and the next
// failover's epoch would wrap.
constexpr const char* kEpochRangeError = "Epoch out of range (the largest is 9223372036854775807).";

bool parse_epoch(const std::string& value, std::uint64_t& out) {
  errno = 0;
  out = std::strtoull(value.c_str(), nullptr, 10);
  return errno != ERANGE && out <= kMaxEpoch;
}

// mirrors sentinelHandleConfiguration for the options that stand before any monitor line.
std::string apply_sentinel_global(SentinelFileConfig& config, const std::string& sub,
                                  const std::string& value) {
  if (sub == "myid") {
    if (value.size() != 40) return "Malformed Sentinel id in myid option.";
    config.engine.myid = value;
    if (!config.persisted) config.persisted.emplace();
    config.persisted->myid = value;
    return "";
  }
  if (sub == "current-epoch") {
    std::uint64_t e = 0;
    if (!parse_epoch(value, e)) return kEpochRangeError;
    if (!config.persisted) config.persisted.emplace();
    config.persisted->current_epoch = std::max(config.persisted->current_epoch, e);
    return "";
  }
  if (sub == "deny-scripts-reconfig") {
    if (!yes_no(value)) return "Please specify yes or no for the deny-scripts-reconfig options.";
    config.deny_scripts_reconfig = protocol::to_lower(value) == "yes";
    return "";
  }
  if (sub == "resolve-hostnames" || sub == "announce-hostnames") {
    if (!yes_no(value)) return "Please specify yes or no for the " + sub + " option.";
    return set_sentinel_global(config, sub, value);
  }
  if (sub == "announce-port") {
    config.engine.announce_port = static_cast<int>(atoi_like(value));
    return "";
  }
  // announce-ip, sentinel-user, sentinel-pass: an empty value leaves the default.
  if (!value.empty()) set_sentinel_global(config, sub, value);
  return "";
}

std::string add_monitor(SentinelFileConfig& config, const std::vector<std::string>& args) {
  const long long quorum = atoi_like(args[5]);
  if (quorum <= 0) return "Quorum must be 1 or greater.";
  if (find_group(config, args[2]) != nullptr) return "Duplicate master name.";
  const long long port = atoi_like(args[4]);
  if (port < 0 || port > 65535) return "Invalid port number.";
  auto address = config_address(config, args[3], static_cast<int>(port));
  if (!address) return "Can't resolve instance hostname.";
  GroupConfig group;
  group.name = args[2];
  group.address = *address;
  group.quorum = static_cast<int>(quorum);
  config.engine.groups.push_back(std::move(group));
  return "";
}

// A per-master option (`sentinel <sub> <master> ...`), the master already known.
std::string apply_group_option(SentinelFileConfig& config, GroupConfig& group,
                               const std::string& sub, const std::vector<std::string>& args) {
  const std::size_t n = args.size();
  if ((sub == "down-after-milliseconds" || sub == "failover-timeout") && n == 4) {
    const long long v = atoi_like(args[3]);
    if (v <= 0) return "negative or zero time parameter.";
    (sub == "failover-timeout" ? group.failover_timeout : group.down_after) = ms(v);
    return "";
  }
  if (sub == "master-reboot-down-after-period" && n == 4) {
    const long long v = atoi_like(args[3]);
    if (v < 0) return "negative time parameter.";
    group.master_reboot_down_after_period = ms(v);
    return "";
  }
  if (sub == "parallel-syncs" && n == 4) {
    group.parallel_syncs = static_cast<int>(atoi_like(args[3]));
    return "";
  }
  if (sub == "auth-pass" && n == 4) {
    group.auth_pass = args[3];
    return "";
  }
  if (sub == "auth-user" && n == 4) {
    group.auth_user = args[3];
    return "";
  }
  if (sub == "rename-command" && n == 5) {
    for (const auto& [command, renamed] : group.rename_commands) {
      if (protocol::to_lower(command) == protocol::to_lower(args[3])) {
        return "Same command renamed multiple times with rename-command.";
      }
    }
    group.rename_commands.emplace(args[3], args[4]);
    return "";
  }
  if (sub == "notification-script" && n == 4) {
    if (!is_executable_file(args[3])) {
      return "Notification script seems non existing or non executable.";
    }
    group.notification_script = args[3];
    return "";
  }
  if (sub == "client-reconfig-script" && n == 4) {
    if (!is_executable_file(args[3])) {
      return "Client reconfiguration script seems non existing or non executable.";
    }
    group.client_reconfig_script = args[3];
    return "";
  }
  if ((sub == "config-epoch" || sub == "leader-epoch") && n == 4) {
    std::uint64_t e = 0;
    if (!parse_epoch(args[3], e)) return kEpochRangeError;
    PersistedGroup& persisted = persisted_group(config, group);
    (sub == "config-epoch" ? persisted.config_epoch : persisted.leader_epoch) = e;
    if (sub == "config-epoch") {
      config.persisted->current_epoch = std::max(config.persisted->current_epoch, e);
    }
    return "";
  }
  if ((sub == "known-replica" || sub == "known-slave") && n == 5) {
    auto address = config_address(config, args[3], static_cast<int>(atoi_like(args[4])));
    if (!address) return "Can't resolve instance hostname.";
    auto& replicas = persisted_group(config, group).known_replicas;
    if (std::find(replicas.begin(), replicas.end(), *address) != replicas.end()) {
      return "Duplicate hostname and port for replica.";
    }
    replicas.push_back(*address);
    return "";
  }
  if (sub == "known-sentinel" && (n == 5 || n == 6)) {
    if (n == 5) return "";  // the old form without a run id is ignored
    auto address = config_address(config, args[3], static_cast<int>(atoi_like(args[4])));
    if (!address) return "Can't resolve instance hostname.";
    persisted_group(config, group).known_sentinels.push_back(PersistedSentinel{*address, args[5]});
    return "";
  }
  return "Unrecognized sentinel configuration statement.";
}

// The options Sentinel applies before the monitor lines (preMonitorCfgName).
bool is_pre_monitor_option(const std::string& sub) {
  static const std::set<std::string> names = {
      "announce-ip",   "announce-port",     "deny-scripts-reconfig",
      "sentinel-user", "sentinel-pass",     "current-epoch",
      "myid",          "resolve-hostnames", "announce-hostnames"};
  return names.contains(sub);
}

// mirrors sentinelHandleConfiguration: `args` is a whole line, "sentinel" first.
std::string apply_sentinel_sub(SentinelFileConfig& config, const std::vector<std::string>& args) {
  const std::string sub = protocol::to_lower(args[1]);
  const std::size_t n = args.size();
  if (sub == "monitor" && n == 6) return add_monitor(config, args);
  if (is_pre_monitor_option(sub) && n == 3) return apply_sentinel_global(config, sub, args[2]);
  static const std::set<std::string> group_options = {"down-after-milliseconds",
                                                      "failover-timeout",
                                                      "master-reboot-down-after-period",
                                                      "parallel-syncs",
                                                      "auth-pass",
                                                      "auth-user",
                                                      "rename-command",
                                                      "notification-script",
                                                      "client-reconfig-script",
                                                      "config-epoch",
                                                      "leader-epoch",
                                                      "known-replica",
                                                      "known-slave",
                                                      "known-sentinel"};
  if (!group_options.contains(sub) || n < 4) {
    return "Unrecognized sentinel configuration statement.";
  }
  GroupConfig* group = find_group(config, args[2]);
  if (group == nullptr) return "No such master with specified name.";
  return apply_group_option(config, *group, sub, args);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> sentinel_globals(
    const SentinelFileConfig& config) {
  return {
      {"resolve-hostnames", config.engine.hostnames.resolve ? "yes" : "no"},
      {"announce-hostnames", config.engine.hostnames.announce ? "yes" : "no"},
      {"announce-ip", config.engine.announce_ip},
      {"announce-port", std::to_string(config.engine.announce_port)},
      {"sentinel-user", config.shell.sentinel_user},
      {"sentinel-pass", config.shell.sentinel_pass},
  };
}

std::string set_sentinel_global(SentinelFileConfig& config, std::string_view name,
                                std::string_view value) {
  const std::string invalid = "Invalid value '" + std::string(value) +
                              "' to SENTINEL CONFIG SET '" + std::string(name) + "'";
  if (name == "resolve-hostnames" || name == "announce-hostnames") {
    const std::string v = protocol::to_lower(value);
    if (v != "yes" && v != "no") return invalid;
    (name == "resolve-hostnames" ? config.engine.hostnames.resolve
                                 : config.engine.hostnames.announce) = v == "yes";
  } else if (name == "announce-ip") {
    config.engine.announce_ip = std::string(value);
  } else if (name == "announce-port") {
    auto p = number<int>(std::string(value));
    if (!p || *p < 0 || *p > 65535) return invalid;
    config.engine.announce_port = *p;
  } else if (name == "sentinel-user") {
    config.shell.sentinel_user = std::string(value);
  } else if (name == "sentinel-pass") {
    config.shell.sentinel_pass = std::string(value);
  } else {
    return "Invalid argument '" + std::string(name) + "' to SENTINEL CONFIG SET";
  }
  return "";
}

std::string apply_sentinel_directive(SentinelFileConfig& config, std::vector<std::string> args) {
  if (args.empty()) return "";
  const std::string name = protocol::to_lower(args[0]);
  if (name == "sentinel") {
    if (args.size() < 2) return "";  // a bare `sentinel` only asks for sentinel mode
    return apply_sentinel_sub(config, args);
  }
  if (std::string error = check_server_directive(args); !error.empty()) return error;
  if (name == "port") {
    config.engine.port = std::stoi(args[1]);
  } else if (name == "tls-port") {
    config.tls_port = std::stoi(args[1]);
  } else if (args.size() == 2 && tls::apply_tls_directive(config.tls, name, args[1])) {
    // checked against the directive table above: its kinds are the ones read here
  } else if (name == "bind") {
    config.bind.assign(args.begin() + 1, args.end());
  } else if (name == "requirepass") {
    config.shell.requirepass = args[1];
  } else if (name == "user") {
    // Kept as the rewrite writes it (each word quoted when it must be), so that the words
    // the file quoted stay whole when the line is applied and written back.
    if (!AclUsers::valid_name(args[1])) return "Spaces not allowed in ACL usernames";
    AclUsers check;
    std::string line;
    for (std::size_t i = 1; i < args.size(); ++i) line += (i > 1 ? " " : "") + config_word(args[i]);
    if (!check.set_user_line(line).empty())
      return "Error in user declaration '" + args[1] + "': Syntax error";
    config.users.push_back("user " + line);
  } else if (name == "rename-command") {
    // Checked against Sentinel's own command table, as redis-sentinel checks it.
    const SentinelCommandSpec* command = find_sentinel_command(args[1]);
    if (command == nullptr || command->is_subcommand()) return "No such command in rename-command";
    if (!args[2].empty() && find_sentinel_command(args[2]) != nullptr &&
        protocol::to_lower(args[2]) != protocol::to_lower(args[1])) {
      return "Target command name already exists";
    }
  } else if (name == "maxclients") {
    config.maxclients = std::stoull(args[1]);
  } else if (name == "tcp-keepalive") {
    config.tcp_keepalive = std::chrono::seconds(std::stoll(args[1]));
  } else if (name == "logfile") {
    config.logfile = args[1];
  } else if (name == "pidfile") {
    config.pidfile = args[1];
  } else if (name == "daemonize") {
    config.daemonize = protocol::to_lower(args[1]) == "yes";
  } else if (name == "supervised") {
    // Checked against the directive table already; upstart is taken as no.
    const std::string mode = protocol::to_lower(args[1]);
    config.supervised = mode == "systemd" ? Supervised::kSystemd
                        : mode == "auto"  ? Supervised::kAuto
                                          : Supervised::kNo;
  } else if (name == "loglevel") {
    config.loglevel = protocol::to_lower(args[1]);
  } else if (name == "syslog-enabled") {
    config.syslog_enabled = protocol::to_lower(args[1]) == "yes";
  } else if (name == "syslog-ident") {
    config.syslog_ident = args[1];
  } else if (name == "syslog-facility") {
    config.syslog_facility = protocol::to_lower(args[1]);
  } else if (name == "dir") {
    // mirrors setConfigDirOption: Redis works from `dir`, so the relative paths read after
    // it (logfile, pidfile, scripts) are taken from there.
    if (::chdir(args[1].c_str()) != 0) return std::strerror(errno);
  }
  return "";
}

bool is_executable_file(const std::string& path) {
  return ::access(path.c_str(), X_OK) == 0;
}

namespace {

// Which of Sentinel's three passes applies a queued line (loadSentinelConfigFromQueue):
// the options that must stand before the monitors, the monitors, then the rest.
int sentinel_pass_of(const std::vector<std::string>& args) {
  if (args.size() < 2) return 2;
  const std::string sub = protocol::to_lower(args[1]);
  if (sub == "monitor") return 1;
  return is_pre_monitor_option(sub) ? 0 : 2;
}

}  // namespace

void apply_sentinel_lines(SentinelFileConfig& config, const std::vector<SentinelLine>& lines) {
  for (int pass = 0; pass < 3; ++pass) {
    for (const SentinelLine& line : lines) {
      if (sentinel_pass_of(line.args) != pass) continue;
      const std::string error = apply_sentinel_sub(config, line.args);
      if (!error.empty()) {
        throw SentinelConfigError(line.where + ": " + error + " (>>> '" + line.text + "')");
      }
    }
  }
}

namespace {

// The files an `include` names: itself, or with a wildcard whatever matches, sorted (none
// is no error), as Redis 7.0 reads them.
std::vector<std::string> included_files(const std::string& pattern) {
  if (pattern.find_first_of("*?[") == std::string::npos) return {pattern};
  std::vector<std::string> files;
  glob_t matches{};
  if (::glob(pattern.c_str(), GLOB_ERR, nullptr, &matches) == 0) {
    for (std::size_t i = 0; i < matches.gl_pathc; ++i) files.emplace_back(matches.gl_pathv[i]);
  }
  ::globfree(&matches);
  return files;
}

// The directives of one file, in order: the server ones applied at once, the `sentinel`
// ones queued for their pass. `include` reads another file in place, as Redis does.
void read_directives(SentinelFileConfig& config, const std::string& path,
                     const std::vector<std::string>& lines, std::vector<SentinelLine>& queued,
                     int depth) {
  std::vector<std::string> args;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string where = path + ":" + std::to_string(i + 1);
    std::string line = lines[i];
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.pop_back();
    }
    auto fail = [&](const std::string& error) {
      throw SentinelConfigError(where + ": " + error + " (>>> '" + line + "')");
    };
    const auto first = line.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || line[first] == '#') continue;
    if (!protocol::split_inline_args(line, args)) fail("Unbalanced quotes in configuration line");
    if (args.empty()) continue;
    const std::string name = protocol::to_lower(args[0]);
    if (name == "sentinel") {
      if (args.size() >= 2) queued.push_back(SentinelLine{args, where, line});
      continue;
    }
    if (name == "include" && args.size() == 2) {
      if (depth > 16) fail("include nested too deeply");
      for (const std::string& file : included_files(args[1])) {
        std::ifstream in(file);
        if (!in)
          fail("Fatal error, can't open config file '" + file + "': " + std::strerror(errno));
        std::vector<std::string> included;
        for (std::string l; std::getline(in, l);) included.push_back(l);
        read_directives(config, file, included, queued, depth + 1);
      }
      continue;
    }
    if (std::string error = apply_sentinel_directive(config, args); !error.empty()) fail(error);
  }
}

}  // namespace

SentinelFileConfig load_sentinel_config(const std::string& path,
                                        const std::vector<std::vector<std::string>>& extra) {
  // mirrors getAbsolutePath at start-up: a `dir` line moves the working directory, and the
  // rewrite must still find this file.
  std::error_code ec;
  const std::string absolute = std::filesystem::absolute(path, ec).lexically_normal().string();
  std::ifstream in(path);
  if (!in) throw SentinelConfigError(path + ": cannot open the config file");
  SentinelFileConfig config;
  config.path = ec ? path : absolute;
  std::stringstream text;
  text << in.rdbuf();
  config.lines = split_config_text(text.str());
  std::vector<SentinelLine> queued;
  read_directives(config, path, config.lines, queued, 0);
  // Command-line directives come after the file's, as redis-sentinel appends them.
  for (const auto& args : extra) {
    std::string text;
    for (const std::string& a : args) text += (text.empty() ? "" : " ") + a;
    if (!args.empty() && protocol::to_lower(args[0]) == "sentinel") {
      if (args.size() >= 2) queued.push_back(SentinelLine{args, "command line", text});
    } else if (std::string error = apply_sentinel_directive(config, args); !error.empty()) {
      throw SentinelConfigError("command line: " + error + " (>>> '" + text + "')");
    }
  }
  // mirrors the check at the end of loadServerConfigFromString.
  if (!config.logfile.empty()) {
    std::ofstream log(config.logfile, std::ios::app);
    if (!log)
      throw SentinelConfigError("Can't open the log file: " + std::string(std::strerror(errno)));
  }
  apply_sentinel_lines(config, queued);
  // No monitor line is no error: redis-sentinel starts with no master, and SENTINEL
  // MONITOR adds them at run time.
  config.command_line = extra;
  return config;
}

}  // namespace sp::sentinel::io

#include "sentinel/io/sentinel_config.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "protocol/command_table.h"
#include "protocol/inline_args.h"
#include "sentinel/io/acl.h"

namespace sp::sentinel::io {
namespace {

template <typename T>
std::optional<T> number(const std::string& s) {
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

bool yes_no(const std::string& s) {
  return protocol::to_lower(s) == "yes" || protocol::to_lower(s) == "no";
}

// The `sentinel` sub-directives Sentinel itself writes on CONFIG REWRITE.
const std::set<std::string>& generated_state_directives() {
  static const std::set<std::string> names = {"myid",          "current-epoch", "config-epoch",
                                              "leader-epoch",  "known-replica", "known-slave",
                                              "known-sentinel"};
  return names;
}

// General server directives that redis-sentinel accepts in its file and that mean nothing
// to a sentinel (or that we take from elsewhere): accepted and ignored.
const std::set<std::string>& tolerated_directives() {
  static const std::set<std::string> names = {"daemonize",
                                              "dir",
                                              "protected-mode",
                                              "tcp-backlog",
                                              "timeout",
                                              "tcp-keepalive",
                                              "supervised",
                                              "syslog-enabled",
                                              "syslog-ident",
                                              "syslog-facility",
                                              "databases",
                                              "always-show-logo",
                                              "set-proc-title",
                                              "proc-title-template",
                                              "maxclients",
                                              "unixsocket",
                                              "unixsocketperm",
                                              "acllog-max-len",
                                              "aclfile",
                                              "user",
                                              "hz",
                                              "io-threads",
                                              "save",
                                              "appendonly",
                                              "rename-command",
                                              "tls-port",
                                              "latency-tracking",
                                              "enable-debug-command",
                                              "locale-collate",
                                              "oom-score-adj",
                                              "disable-thp",
                                              "crash-log-enabled",
                                              "crash-memcheck-enabled"};
  return names;
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

std::string apply_sentinel_sub(SentinelFileConfig& config, const std::vector<std::string>& args) {
  const std::string sub = protocol::to_lower(args[1]);
  const std::size_t n = args.size();
  auto arity_error = [&] { return "wrong number of arguments for 'sentinel " + sub + "'"; };
  if (sub == "monitor") {
    if (n != 6) return arity_error();
    auto port = number<int>(args[4]);
    auto quorum = number<int>(args[5]);
    if (!port || *port <= 0 || *port > 65535) return "invalid port '" + args[4] + "'";
    if (!quorum || *quorum <= 0) return "Quorum must be 1 or greater.";
    if (find_group(config, args[2]) != nullptr) return "Duplicated master name.";
    GroupConfig group;
    group.name = args[2];
    group.address = Address{args[3], *port};
    group.quorum = *quorum;
    config.engine.groups.push_back(std::move(group));
    return "";
  }
  if (sub == "myid" && n == 3) {
    if (args[2].size() != 40) return "Malformed Sentinel id in myid option.";
    config.engine.myid = args[2];
    if (!config.persisted) config.persisted.emplace();
    config.persisted->myid = args[2];
    return "";
  }
  if (sub == "current-epoch" && n == 3) {
    auto e = number<std::uint64_t>(args[2]);
    if (!e) return "invalid current-epoch";
    if (!config.persisted) config.persisted.emplace();
    config.persisted->current_epoch = *e;
    return "";
  }
  if (sub == "deny-scripts-reconfig" && n == 3) {
    if (!yes_no(args[2])) return "Please specify yes or no for the deny-scripts-reconfig options.";
    config.deny_scripts_reconfig = protocol::to_lower(args[2]) == "yes";
    return "";
  }
  if (n == 3) {
    for (const auto& [name, value] : sentinel_globals(config)) {
      if (sub == name) return set_sentinel_global(config, sub, args[2]);
    }
  }
  // Everything else names a master first.
  if (n < 4) return "Unrecognized sentinel configuration statement.";
  GroupConfig* group = find_group(config, args[2]);
  if (group == nullptr) return "No such master with specified name.";
  if (sub == "down-after-milliseconds" || sub == "failover-timeout" ||
      sub == "master-reboot-down-after-period") {
    auto v = number<std::int64_t>(args[3]);
    if (n != 4 || !v || *v < 0 || (*v == 0 && sub != "master-reboot-down-after-period")) {
      return "invalid " + sub;
    }
    Duration d = ms(*v);
    if (sub == "down-after-milliseconds") group->down_after = d;
    if (sub == "failover-timeout") group->failover_timeout = d;
    if (sub == "master-reboot-down-after-period") group->master_reboot_down_after_period = d;
    return "";
  }
  if (sub == "parallel-syncs") {
    auto v = number<int>(args[3]);
    if (n != 4 || !v || *v <= 0) return "invalid parallel-syncs";
    group->parallel_syncs = *v;
    return "";
  }
  if (sub == "auth-pass" && n == 4) {
    group->auth_pass = args[3];
    return "";
  }
  if (sub == "auth-user" && n == 4) {
    group->auth_user = args[3];
    return "";
  }
  if (sub == "rename-command" && n == 5) {
    group->rename_commands[protocol::to_lower(args[3])] = args[4];
    return "";
  }
  if (sub == "notification-script" && n == 4) {
    if (!is_executable_file(args[3])) {
      return "Notification script seems non existing or non executable.";
    }
    group->notification_script = args[3];
    return "";
  }
  if (sub == "client-reconfig-script" && n == 4) {
    if (!is_executable_file(args[3])) {
      return "Client reconfiguration script seems non existing or non executable.";
    }
    group->client_reconfig_script = args[3];
    return "";
  }
  if (sub == "config-epoch" && n == 4) {
    auto e = number<std::uint64_t>(args[3]);
    if (!e) return "invalid config-epoch";
    persisted_group(config, *group).config_epoch = *e;
    return "";
  }
  if (sub == "leader-epoch" && n == 4) {
    auto e = number<std::uint64_t>(args[3]);
    if (!e) return "invalid leader-epoch";
    persisted_group(config, *group).leader_epoch = *e;
    return "";
  }
  if ((sub == "known-replica" || sub == "known-slave") && n == 5) {
    auto p = number<int>(args[4]);
    if (!p) return "invalid port";
    persisted_group(config, *group).known_replicas.push_back(Address{args[3], *p});
    return "";
  }
  if (sub == "known-sentinel" && n == 6) {
    auto p = number<int>(args[4]);
    if (!p) return "invalid port";
    persisted_group(config, *group)
        .known_sentinels.push_back(PersistedSentinel{Address{args[3], *p}, args[5]});
    return "";
  }
  return "Unrecognized sentinel configuration statement.";
}

}  // namespace

std::vector<std::pair<std::string, std::string>> sentinel_globals(
    const SentinelFileConfig& config) {
  return {
      {"resolve-hostnames", config.resolve_hostnames ? "yes" : "no"},
      {"announce-hostnames", config.announce_hostnames ? "yes" : "no"},
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
    (name == "resolve-hostnames" ? config.resolve_hostnames : config.announce_hostnames) =
        v == "yes";
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
    if (args.size() < 2) return "wrong number of arguments for 'sentinel'";
    return apply_sentinel_sub(config, args);
  }
  if (name == "port" && args.size() == 2) {
    auto p = number<int>(args[1]);
    if (!p || *p < 0 || *p > 65535) return "Invalid port";
    config.engine.port = *p;
    return "";
  }
  if (name == "bind" && args.size() >= 2) {
    config.bind.assign(args.begin() + 1, args.end());
    return "";
  }
  if (name == "requirepass" && args.size() == 2) {
    config.shell.requirepass = args[1];
    return "";
  }
  if (name == "user" && args.size() >= 2) {
    AclUsers check;
    std::string line;
    for (std::size_t i = 1; i < args.size(); ++i) line += (i > 1 ? " " : "") + args[i];
    if (!check.set_user_line(line).empty())
      return "Error in user declaration '" + args[1] + "': Syntax error";
    config.users.push_back("user " + line);
    return "";
  }
  if (name == "logfile" && args.size() == 2) {
    config.logfile = args[1];
    return "";
  }
  if (name == "pidfile" && args.size() == 2) {
    config.pidfile = args[1];
    return "";
  }
  if (name == "loglevel" && args.size() == 2) {
    static const std::set<std::string> levels = {"debug", "verbose", "notice", "warning",
                                                 "nothing"};
    if (!levels.contains(protocol::to_lower(args[1]))) return "Invalid loglevel";
    config.loglevel = protocol::to_lower(args[1]);
    return "";
  }
  if (tolerated_directives().contains(name)) return "";
  return "Bad directive or wrong number of arguments";
}

bool is_executable_file(const std::string& path) {
  return ::access(path.c_str(), X_OK) == 0;
}

SentinelFileConfig load_sentinel_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw SentinelConfigError(path + ": cannot open the config file");
  SentinelFileConfig config;
  std::string line;
  std::vector<std::string> args;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    config.lines.push_back(line);
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    std::string error;
    if (!protocol::split_inline_args(line, args)) {
      error = "Unbalanced quotes in configuration line";
    } else {
      error = apply_sentinel_directive(config, args);
    }
    if (!error.empty()) {
      throw SentinelConfigError(path + ":" + std::to_string(line_no) + ": " + error + " (>>> '" +
                                line + "')");
    }
  }
  if (config.engine.groups.empty()) {
    throw SentinelConfigError(path + ": no 'sentinel monitor' line: nothing to monitor");
  }
  return config;
}

namespace {

// One argument as the file's parser reads it back: bare when that is safe, otherwise
// double-quoted with escapes (as Redis's sdscatrepr writes it), so that an empty
// announced IP or a password with a space survives the rewrite.
std::string arg(std::string_view value) {
  const bool bare = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
    return std::isgraph(static_cast<unsigned char>(c)) && c != '"' && c != '\'' && c != '\\';
  });
  if (bare) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (std::isprint(static_cast<unsigned char>(c))) {
          out += c;
        } else {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\x";
          out += kHex[(static_cast<unsigned char>(c) >> 4) & 0xf];
          out += kHex[static_cast<unsigned char>(c) & 0xf];
        }
    }
  }
  return out + "\"";
}

// `sentinel <sub> <master-name> ...` lines regenerated from the engine's group configs.
const std::set<std::string>& group_option_directives() {
  static const std::set<std::string> names = {"monitor",
                                              "down-after-milliseconds",
                                              "failover-timeout",
                                              "parallel-syncs",
                                              "auth-pass",
                                              "auth-user",
                                              "master-reboot-down-after-period",
                                              "rename-command",
                                              "notification-script",
                                              "client-reconfig-script"};
  return names;
}

void render_group(std::ostringstream& out, const GroupConfig& g, const Address& master) {
  out << "sentinel monitor " << arg(g.name) << " " << arg(master.ip) << " " << master.port << " "
      << g.quorum << "\n";
  auto millis = [](Duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  if (g.down_after != kDefaultDownAfter) {
    out << "sentinel down-after-milliseconds " << arg(g.name) << " " << millis(g.down_after)
        << "\n";
  }
  if (g.failover_timeout != kDefaultFailoverTimeout) {
    out << "sentinel failover-timeout " << arg(g.name) << " " << millis(g.failover_timeout) << "\n";
  }
  if (g.parallel_syncs != kDefaultParallelSyncs) {
    out << "sentinel parallel-syncs " << arg(g.name) << " " << g.parallel_syncs << "\n";
  }
  if (!g.notification_script.empty()) {
    out << "sentinel notification-script " << arg(g.name) << " " << arg(g.notification_script)
        << "\n";
  }
  if (!g.client_reconfig_script.empty()) {
    out << "sentinel client-reconfig-script " << arg(g.name) << " " << arg(g.client_reconfig_script)
        << "\n";
  }
  if (!g.auth_pass.empty())
    out << "sentinel auth-pass " << arg(g.name) << " " << arg(g.auth_pass) << "\n";
  if (!g.auth_user.empty())
    out << "sentinel auth-user " << arg(g.name) << " " << arg(g.auth_user) << "\n";
  if (g.master_reboot_down_after_period.count() != 0) {
    out << "sentinel master-reboot-down-after-period " << arg(g.name) << " "
        << millis(g.master_reboot_down_after_period) << "\n";
  }
  for (const auto& [command, renamed] : g.rename_commands) {
    out << "sentinel rename-command " << arg(g.name) << " " << arg(command) << " " << arg(renamed)
        << "\n";
  }
}

}  // namespace

std::string render_sentinel_config(const SentinelFileConfig& config, const PersistedState& state,
                                   const std::vector<GroupConfig>& groups) {
  const std::vector<std::string>& lines = config.lines;
  auto master_of = [&](const GroupConfig& g) {
    for (const auto& p : state.groups) {
      if (p.name == g.name) return p.master;
    }
    return g.address;
  };
  std::ostringstream out;
  std::vector<std::string> args;
  bool groups_written = false;
  const auto globals = sentinel_globals(config);
  const auto defaults = sentinel_globals(SentinelFileConfig{});
  auto write_groups = [&] {
    if (groups_written) return;
    for (const GroupConfig& g : groups) render_group(out, g, master_of(g));
    groups_written = true;
  };
  for (const std::string& line : lines) {
    if (line == "# Generated by CONFIG REWRITE") continue;
    // Users are written afresh below, as the service holds them now.
    if (protocol::split_inline_args(line, args) && !args.empty() &&
        protocol::to_lower(args[0]) == "user") {
      continue;
    }
    if (protocol::split_inline_args(line, args) && args.size() >= 2 &&
        protocol::to_lower(args[0]) == "sentinel") {
      const std::string sub = protocol::to_lower(args[1]);
      if (generated_state_directives().contains(sub)) continue;
      // Sentinel-wide options are written afresh below, with their current values.
      if (std::any_of(globals.begin(), globals.end(),
                      [&](const auto& g) { return g.first == sub; })) {
        continue;
      }
      // The groups' own lines are written afresh where the first monitor line was.
      if (group_option_directives().contains(sub)) {
        if (sub == "monitor") write_groups();
        continue;
      }
    }
    out << line << "\n";
  }
  write_groups();
  for (std::size_t i = 0; i < globals.size(); ++i) {
    if (globals[i] != defaults[i]) {
      out << "sentinel " << globals[i].first << " " << arg(globals[i].second) << "\n";
    }
  }
  out << "# Generated by CONFIG REWRITE\n";
  for (const std::string& user : config.users) out << user << "\n";
  out << "sentinel myid " << state.myid << "\n";
  out << "sentinel current-epoch " << state.current_epoch << "\n";
  for (const PersistedGroup& g : state.groups) {
    out << "sentinel config-epoch " << arg(g.name) << " " << g.config_epoch << "\n";
    out << "sentinel leader-epoch " << arg(g.name) << " " << g.leader_epoch << "\n";
    for (const Address& r : g.known_replicas) {
      out << "sentinel known-replica " << arg(g.name) << " " << arg(r.ip) << " " << r.port << "\n";
    }
    for (const PersistedSentinel& p : g.known_sentinels) {
      out << "sentinel known-sentinel " << arg(g.name) << " " << arg(p.addr.ip) << " "
          << p.addr.port << " " << p.id << "\n";
    }
  }
  return out.str();
}

void write_file_atomically(const std::string& path, const std::string& text) {
  auto fail = [&](const char* what) {
    throw std::system_error(errno, std::generic_category(), std::string(what) + " " + path);
  };
  const std::string temp = path + ".tmp-" + std::to_string(getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create a temp file for");
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      ::unlink(temp.c_str());
      fail("cannot write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(temp.c_str());
    fail("cannot fsync");
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    fail("cannot rename over");
  }
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace sp::sentinel::io

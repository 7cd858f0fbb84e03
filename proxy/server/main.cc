// sentinel-proxy [config-file] [--directive value ...] | --help | --version | --test-config
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/systemd_notify.h"
#include "common/tls/tls_context.h"
#include "proxy/config/config_loader.h"
#include "proxy/config/logging.h"
#include "proxy/follow/follow_mode.h"
#include "proxy/server/drop_in_metrics.h"
#include "proxy/server/open_files_limit.h"
#include "proxy/server/own_sentinel_mode.h"
#include "proxy/server/proxy_context.h"
#include "proxy/server/server.h"
#include "proxy/server/upgrade.h"
#include "sentinel/io/sentinel_service.h"
#include "sp/version.h"

namespace {

constexpr const char* kUsage =
    "Usage: sentinel-proxy [/path/to/sentinel-proxy.conf] [--directive value ...]\n"
    "       sentinel-proxy --test-config [/path/to/sentinel-proxy.conf] [--directive ...]\n"
    "       sentinel-proxy --sentinel /path/to/sentinel.conf [--directive value ...]\n"
    "       sentinel-proxy --sentinel-follow <name> <host:port> [<host:port> ...] [--directive "
    "...]\n"
    "       sentinel-proxy --version | --help\n"
    "\n"
    "Every config file directive can also be given as --name value ... on the command\n"
    "line (applied after the file), as redis-server accepts them, e.g.\n"
    "  sentinel-proxy --port 26380 --upstream 127.0.0.1 6379 --io-threads 1\n"
    "See conf/sentinel-proxy.conf for every directive and its default. In sentinel mode,\n"
    "--metrics-port <port> [--metrics-bind <address>] serves /metrics, /healthz, /readyz.\n"
    "\n"
    "Signals: SIGTERM/SIGINT drain and exit; SIGHUP reopens the log file and applies what\n"
    "changed in the config file; SIGUSR2 (proxy mode) starts the binary again and hands it\n"
    "the listening sockets (an upgrade that refuses no connection).\n";

struct Options {
  bool test_config = false;
  std::string file;
  sp::proxy::Config config;
};

// Throws ConfigError.
Options parse_options(int argc, char** argv) {
  Options options;
  std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<std::string> directives;
  std::string file;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--test-config") {
      options.test_config = true;
    } else if (i == 0 || (i == 1 && options.test_config && file.empty() && directives.empty())) {
      if (args[i].rfind("--", 0) == 0)
        directives.push_back(args[i]);
      else
        file = args[i];
    } else {
      directives.push_back(args[i]);
    }
  }
  if (!directives.empty() && directives.front().rfind("--", 0) != 0) {
    throw sp::proxy::ConfigError("command line: unexpected argument '" + directives.front() +
                                 "' (directives are --name value ...)");
  }
  // Absolute before the file is read: its `dir` moves the working directory, and the
  // sentinel inside reads the file again and rewrites it.
  if (!file.empty()) file = std::filesystem::absolute(file).string();
  options.file = file;
  options.config.config_file = file;
  options.config.command_line = sp::proxy::command_line_to_text(directives);
  if (!file.empty()) sp::proxy::apply_config_file(options.config, file);
  sp::proxy::apply_config_text(options.config, options.config.command_line, "command line");
  return options;
}

// mirrors Redis's daemonize(): the parent exits at once (an init script or a forking unit
// waits for that), the child goes on in a session of its own, its standard streams on
// /dev/null. Called before any thread exists.
void daemonize() {
  if (::fork() != 0) std::_Exit(0);
  ::setsid();
  const int fd = ::open("/dev/null", O_RDWR);
  if (fd < 0) return;
  ::dup2(fd, STDIN_FILENO);
  ::dup2(fd, STDOUT_FILENO);
  ::dup2(fd, STDERR_FILENO);
  if (fd > STDERR_FILENO) ::close(fd);
}

// At exit, as Redis removes its pidfile; but after an upgrade the file names the new
// process, which is left alone.
void remove_pidfile_if_ours(const std::string& pidfile) {
  if (pidfile.empty()) return;
  long pid = 0;
  std::ifstream(pidfile) >> pid;
  if (pid == static_cast<long>(::getpid())) std::remove(pidfile.c_str());
}

// Drop-in mode: `sentinel-proxy --sentinel sentinel.conf`, as `redis-sentinel
// sentinel.conf`: the same file, rewritten in place, and no client port.
int run_drop_in_sentinel(int argc, char** argv) {
  std::string file;
  std::vector<std::vector<std::string>> directives;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--sentinel") continue;
    if (arg.rfind("--", 0) == 0) {
      directives.push_back({arg.substr(2)});
    } else if (!directives.empty()) {
      directives.back().push_back(arg);
    } else if (file.empty()) {
      file = arg;
    }
  }
  if (file.empty()) {
    std::cerr << "sentinel-proxy: sentinel mode needs a config file (it is rewritten with "
                 "the sentinel's state)\n";
    return 1;
  }
  // The metrics port is the command line's only (a sentinel.conf stays one that
  // redis-sentinel loads): --metrics-port <port> [--metrics-bind <address>].
  sp::proxy::Config metrics;
  metrics.metrics_port = 0;  // off unless asked for
  for (auto it = directives.begin(); it != directives.end();) {
    if ((*it)[0] != "metrics-port" && (*it)[0] != "metrics-bind") {
      ++it;
      continue;
    }
    if (const std::string error = sp::proxy::apply_directive(metrics, *it); !error.empty()) {
      std::cerr << "sentinel-proxy: bad configuration: command line: " << error << "\n";
      return 1;
    }
    it = directives.erase(it);
  }
  sp::sentinel::io::SentinelFileConfig config;
  try {
    config = sp::sentinel::io::load_sentinel_config(file, directives);
  } catch (const std::exception& e) {
    std::cerr << "sentinel-proxy: bad configuration: " << e.what() << "\n";
    return 1;
  }
  if (config.daemonize && !sp::supervised_by_systemd(config.supervised)) {
    daemonize();
    // mirrors createPidFile: a daemon always leaves its pid somewhere.
    if (config.pidfile.empty()) config.pidfile = "/var/run/redis.pid";
  }
  try {
    sp::proxy::Config log_config;
    sp::proxy::apply_config_text(log_config, "loglevel " + config.loglevel, "config");
    log_config.logfile = config.logfile;
    log_config.syslog_enabled = config.syslog_enabled;
    log_config.syslog_ident = config.syslog_ident;
    log_config.syslog_facility = config.syslog_facility;
    sp::proxy::setup_logging(log_config, 'X');
    const std::string pidfile = config.pidfile;
    sp::proxy::write_pidfile(pidfile);
    const std::string path = config.path;
    sp::sentinel::io::Attachment attach;
    if (metrics.metrics_port != 0) {
      attach = [&](asio::io_context& io, sp::sentinel::io::SentinelService& service) {
        return sp::proxy::serve_drop_in_metrics(io, service, metrics.metrics_bind,
                                                metrics.metrics_port);
      };
    }
    const int code = sp::sentinel::io::run_sentinel(std::move(config), path, sp::kVersion,
                                                    sp::proxy::reopen_log_file, attach);
    remove_pidfile_if_ours(pidfile);  // as Redis does at shutdown
    return code;
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    std::cerr << "sentinel-proxy: cannot start: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  sp::proxy::take_upgrade_environment(argc, argv);
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (arg == "--version" || arg == "-v") {
      std::cout << "sentinel-proxy " << sp::kVersion << "\n";
      return 0;
    }
  }
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--sentinel") return run_drop_in_sentinel(argc, argv);
  }
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "sentinel-proxy: bad configuration: " << e.what() << "\n";
    return 1;
  }
  if (options.test_config && options.config.follow_name.empty() &&
      !options.config.sentinel_directives.empty()) {
    try {
      sp::proxy::own_sentinel_config(options.config, options.file);
    } catch (const std::exception& e) {
      std::cerr << "sentinel-proxy: bad configuration: " << e.what() << "\n";
      return 1;
    }
  }
  if (options.test_config) {
    // The certificates and keys are loaded as the start would load them.
    const sp::proxy::Config& c = options.config;
    const bool serve = c.tls_port != 0 || c.sentinel_tls_port != 0;
    if (serve || c.tls.replication) {
      const auto built = sp::tls::build_contexts(c.tls, serve, c.tls.replication);
      if (!built.error.empty()) {
        std::cerr << "sentinel-proxy: bad configuration: TLS: " << built.error << "\n";
        return 1;
      }
    }
    std::cout << "sentinel-proxy: configuration OK\n";
    return 0;
  }
  // mirrors Redis: `background = daemonize && !supervised`; before any thread exists.
  if (options.config.daemonize && !sp::supervised_by_systemd(options.config.supervised)) {
    daemonize();
    if (options.config.pidfile.empty()) options.config.pidfile = "/var/run/sentinel-proxy.pid";
  }
  try {
    sp::proxy::setup_logging(options.config, 'P');
    options.config.maxclients = sp::proxy::fit_maxclients_to_open_files(
        options.config.maxclients, options.config.backend_pool_size > 0 ? 1 : 2);
    const std::string pidfile = options.config.pidfile;
    // A replacement writes it once it listens (Server::run): until then the file names
    // the process that serves.
    if (!sp::proxy::is_replacement()) sp::proxy::write_pidfile(pidfile);
    int code = 0;
    if (!options.config.follow_name.empty()) {
      code = sp::proxy::run_proxy_following(std::move(options.config));
    } else if (!options.config.sentinel_directives.empty()) {
      code = sp::proxy::run_proxy_with_sentinel(std::move(options.config), options.file);
    } else {
      sp::proxy::Server server(options.config);
      code = server.run();
    }
    remove_pidfile_if_ours(pidfile);
    return code;
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    std::cerr << "sentinel-proxy: cannot start: " << e.what() << "\n";
    return 1;
  }
}

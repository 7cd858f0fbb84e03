// sentinel-proxy [config-file] [--directive value ...] | --help | --version | --test-config
#include <fcntl.h>
#include <unistd.h>
#include <algorithm>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include "protocol/command_table.h"
#include "proxy/config_loader.h"
#include "proxy/engine_watch.h"
#include "proxy/failover_feed.h"
#include "proxy/follow_mode.h"
#include "proxy/logging.h"
#include "proxy/master_notice.h"
#include "proxy/master_updates.h"
#include "proxy/open_files_limit.h"
#include "proxy/proxy_context.h"
#include "proxy/server.h"
#include "proxy/topology_registry.h"
#include "sentinel/io/engine_shell.h"
#include "sentinel/io/sentinel_server.h"
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
    "See conf/sentinel-proxy.conf for every directive and its default.\n";

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
  options.file = file;
  if (!file.empty()) sp::proxy::apply_config_file(options.config, file);
  sp::proxy::apply_config_text(options.config, sp::proxy::command_line_to_text(directives),
                               "command line");
  return options;
}

// The in-process sentinel of proxy mode, from the `sentinel ...` lines of the proxy's
// own file (which it rewrites with its state, as Sentinel does). Throws on bad input.
sp::sentinel::io::SentinelFileConfig sentinel_config_of(const Options& options) {
  using sp::sentinel::io::SentinelConfigError;
  if (options.file.empty()) {
    throw SentinelConfigError(
        "the sentinel needs a config file: it rewrites it with its state (as Sentinel)");
  }
  sp::sentinel::io::SentinelFileConfig config;
  std::ifstream in(options.file);
  std::stringstream text;
  text << in.rdbuf();
  config.lines = sp::sentinel::io::split_config_text(text.str());
  config.redis_file = false;
  config.engine.port = options.config.sentinel_port;
  config.bind = options.config.bind;
  // In Sentinel's three passes, as drop-in mode reads them: any order loads.
  std::vector<sp::sentinel::io::SentinelLine> lines;
  for (const auto& d : options.config.sentinel_directives) {
    if (sp::protocol::to_lower(d[0]) != "sentinel") {
      const std::string error = sp::sentinel::io::apply_sentinel_directive(config, d);
      if (!error.empty()) throw SentinelConfigError(options.file + ": " + error);
      continue;
    }
    std::string text;
    for (const std::string& word : d) text += (text.empty() ? "" : " ") + word;
    lines.push_back({d, options.file, text});
  }
  sp::sentinel::io::apply_sentinel_lines(config, lines);
  if (config.engine.groups.empty()) throw SentinelConfigError("no 'sentinel monitor' line");
  return config;
}

// The monitored group the client port serves: `proxy-group`, or the only one.
std::string served_group(const Options& options,
                         const sp::sentinel::io::SentinelFileConfig& config) {
  const auto& groups = config.engine.groups;
  if (options.config.proxy_group.empty()) {
    if (groups.size() == 1) return groups.front().name;
    throw sp::sentinel::io::SentinelConfigError(
        "several groups are monitored: name the one to serve with 'proxy-group <name>'");
  }
  for (const auto& g : groups) {
    if (g.name == options.config.proxy_group) return g.name;
  }
  throw sp::sentinel::io::SentinelConfigError("proxy-group '" + options.config.proxy_group +
                                              "' is not monitored");
}

// A master named by the engine: sessions connect to the IP it resolved (a hostname given
// with resolve-hostnames is kept as the master's host). The engine's current epoch goes
// with it, for the registry's epoch gate (TopologyRegistry::publish).
void publish_engine_master(sp::proxy::TopologyRegistry& registry, const std::string& group,
                           const sp::sentinel::Address& addr, std::uint64_t config_epoch,
                           bool replaced_master_up, const sp::sentinel::Engine& engine) {
  sp::proxy::publish_master(registry, group, addr.dial_host(), addr.port, config_epoch, addr.host(),
                            replaced_master_up, engine.current_epoch());
}

// Proxy mode with the sentinel inside: the engine runs on its own thread and publishes
// each new master of the served group to the proxy's topology registry.
int run_proxy_with_sentinel(Options options) {
  auto sentinel_config = sentinel_config_of(options);
  const std::string group = served_group(options, sentinel_config);
  sentinel_config.served_group = group;
  asio::io_context engine_io;
  sp::sentinel::io::SentinelService* service_ptr = nullptr;
  sp::proxy::TopologyRegistry* registry = nullptr;
  sp::proxy::FailoverRecorder* failovers = nullptr;
  sp::sentinel::io::SentinelService service(
      engine_io.get_executor(), std::move(sentinel_config), options.file, sp::kVersion,
      [&registry, &service_ptr, group](const sp::sentinel::SwitchMaster& s) {
        if (s.group == group && registry != nullptr) {
          publish_engine_master(*registry, group, s.addr, s.config_epoch, s.replaced_master_up,
                                service_ptr->shell().engine());
        }
      },
      [&registry, &failovers, &service_ptr, group](const sp::sentinel::Notice& notice) {
        if (registry == nullptr) return;
        // First, so that a promotion is recorded before the swap it causes below.
        sp::proxy::feed_failover_notice(*failovers, service_ptr->shell().engine(), group, notice);
        if (notice.kind == sp::sentinel::NoticeKind::kPromotedSlave) {
          // This process led the failover and its replica now reports itself master, with
          // the failover's epoch as the group's config epoch: clients need not wait for the
          // other replicas to be reconfigured (+switch-master comes after that).
          if (notice.group != group || !notice.subject) return;
          // The address is taken from the engine: the notice may show a hostname.
          for (const auto& g : service_ptr->shell().engine().groups()) {
            const sp::sentinel::Instance* promoted = g.promoted();
            if (g.config.name != group || promoted == nullptr ||
                promoted->addr.port != notice.subject->addr.port) {
              continue;
            }
            publish_engine_master(*registry, group, promoted->addr, g.config_epoch,
                                  sp::sentinel::instance_up(g.master),
                                  service_ptr->shell().engine());
          }
          return;
        }
        // Clients hold their commands while this sentinel finds the served master down,
        // until it is back (-sdown) or its successor is published; a master back while a
        // failover of it this sentinel voted for may be promoting a replica stays held (its
        // writes would be thrown away), until the switch or the election's timeout.
        const sp::sentinel::Engine& engine = service_ptr->shell().engine();
        const sp::sentinel::Group* served = engine.group(group);
        if (served == nullptr) return;
        const bool keep_holding = sp::sentinel::clients_should_hold(
            *served, sp::sentinel::io::EngineShell::now(), engine.timings().election_timeout);
        const auto hold = sp::proxy::apply_master_notice(
            *registry, notice, sp::proxy::NoticeSource::kOwnSentinel, keep_holding);
        if (hold) sp::proxy::log_hold_change(group, *hold);
      });
  service_ptr = &service;
  // The proxy starts on the master the sentinel knows (the rewritten monitor line).
  const auto master = service.shell().engine().master_address(group).value();
  options.config.upstream_host = master.host();  // resolved by the proxy at start
  options.config.upstream_port = static_cast<std::uint16_t>(master.port);
  options.config.group_name = group;
  options.config.sentinel_managed = true;
  if (options.config.failover_hold.count() < 0) {
    const auto& groups = service.shell().engine().groups();
    const auto served = std::find_if(groups.begin(), groups.end(),
                                     [&](const auto& g) { return g.config.name == group; });
    options.config.failover_hold =
        std::chrono::duration_cast<std::chrono::milliseconds>(served->config.failover_timeout);
  }
  sp::proxy::Server server(options.config);
  registry = &server.registry();
  failovers = &server.failovers();
  if (const auto* served = service.shell().engine().group(group)) {
    failovers->set_config_epoch(served->config_epoch);
  }
  service.start();
  sp::proxy::EngineWatch watch(
      engine_io.get_executor(),
      [&service, &server, group] {
        sp::proxy::EngineWatch::View view;
        const sp::sentinel::Engine& engine = service.shell().engine();
        server.context().hellos_rejected.store(engine.hellos_rejected(), std::memory_order_relaxed);
        server.context().config_save_failures.store(service.config_save_failures(),
                                                    std::memory_order_relaxed);
        const sp::sentinel::Group* served = engine.group(group);
        if (served == nullptr) return view;
        const sp::sentinel::Address& master = served->master.addr;
        view.reaches_majority = sp::sentinel::reaches_majority(*served);
        view.hold_wanted = sp::sentinel::clients_should_hold(
            *served, sp::sentinel::io::EngineShell::now(), engine.timings().election_timeout);
        view.master_ip = master.dial_host();
        view.master_port = master.port;
        return view;
      },
      server.registry(), group, options.config.fence_on_minority);
  watch.start();
  server.context().request_failover = [&engine_io, &service, group](
                                          std::string replica,
                                          sp::proxy::ProxyContext::FailoverAnswer done) {
    // The engine lives on its own thread: asked there, it answers there.
    asio::post(engine_io, [&service, group, replica = std::move(replica), done = std::move(done)] {
      const auto request = service.shell().engine().request_failover(
          group, sp::sentinel::io::EngineShell::now(), replica);
      service.shell().run_actions();
      done(sp::sentinel::failover_request_error(request));
    });
  };
  std::thread engine_thread([&engine_io] {
    auto guard = asio::make_work_guard(engine_io);
    engine_io.run();
  });
  const int code = server.run();
  asio::post(engine_io, [&] {
    watch.stop();
    service_ptr->stop();
    engine_io.stop();
  });
  engine_thread.join();
  return code;
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
  sp::sentinel::io::SentinelFileConfig config;
  try {
    config = sp::sentinel::io::load_sentinel_config(file, directives);
  } catch (const std::exception& e) {
    std::cerr << "sentinel-proxy: bad configuration: " << e.what() << "\n";
    return 1;
  }
  if (config.daemonize) {
    daemonize();
    // mirrors createPidFile: a daemon always leaves its pid somewhere.
    if (config.pidfile.empty()) config.pidfile = "/var/run/redis.pid";
  }
  try {
    sp::proxy::Config log_config;
    sp::proxy::apply_config_text(log_config, "loglevel " + config.loglevel, "config");
    log_config.logfile = config.logfile;
    sp::proxy::setup_logging(log_config);
    const std::string pidfile = config.pidfile;
    if (!pidfile.empty()) std::ofstream(pidfile) << getpid() << "\n";
    const std::string path = config.path;
    const int code = sp::sentinel::io::run_sentinel(std::move(config), path, sp::kVersion);
    if (!pidfile.empty()) std::remove(pidfile.c_str());  // as Redis does at shutdown
    return code;
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    std::cerr << "sentinel-proxy: cannot start: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
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
      served_group(options, sentinel_config_of(options));
    } catch (const std::exception& e) {
      std::cerr << "sentinel-proxy: bad configuration: " << e.what() << "\n";
      return 1;
    }
  }
  if (options.test_config) {
    std::cout << "sentinel-proxy: configuration OK\n";
    return 0;
  }
  try {
    sp::proxy::setup_logging(options.config);
    options.config.maxclients = sp::proxy::fit_maxclients_to_open_files(options.config.maxclients);
    const std::string pidfile = options.config.pidfile;
    if (!pidfile.empty()) std::ofstream(pidfile) << getpid() << "\n";
    int code = 0;
    if (!options.config.follow_name.empty()) {
      code = sp::proxy::run_proxy_following(std::move(options.config));
    } else if (!options.config.sentinel_directives.empty()) {
      code = run_proxy_with_sentinel(std::move(options));
    } else {
      sp::proxy::Server server(options.config);
      code = server.run();
    }
    if (!pidfile.empty()) std::remove(pidfile.c_str());
    return code;
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    std::cerr << "sentinel-proxy: cannot start: " << e.what() << "\n";
    return 1;
  }
}

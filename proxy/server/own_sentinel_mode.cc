#include "proxy/server/own_sentinel_mode.h"

#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include "protocol/command_table.h"
#include "proxy/failover/failover_feed.h"
#include "proxy/server/proxy_context.h"
#include "proxy/server/server.h"
#include "proxy/server/upgrade.h"
#include "proxy/topology/served_view_bridge.h"
#include "sentinel/io/sentinel_service.h"
#include "sentinel/io/shell/engine_shell.h"
#include "sp/version.h"

namespace sp::proxy {
namespace {

using sentinel::io::SentinelConfigError;

// The monitored group the client port serves: `proxy-group`, or the only one.
std::string served_group(const Config& config, const sentinel::io::SentinelFileConfig& sentinel) {
  const auto& groups = sentinel.engine.groups;
  if (config.proxy_group.empty()) {
    if (groups.size() == 1) return groups.front().name;
    throw SentinelConfigError(
        "several groups are monitored: name the one to serve with 'proxy-group <name>'");
  }
  for (const auto& g : groups) {
    if (g.name == config.proxy_group) return g.name;
  }
  throw SentinelConfigError("proxy-group '" + config.proxy_group + "' is not monitored");
}

// The proxy starts on the master the sentinel knows (the rewritten monitor line), and holds
// clients for the group's failover-timeout unless failover-hold-ms says otherwise.
void start_on_engine_master(Config& config, const sentinel::Engine& engine,
                            const std::string& group) {
  const sentinel::Group& served = *engine.group(group);
  const sentinel::Address master = sentinel::current_master_address(served);
  config.upstream_host = master.host();  // resolved by the proxy at start
  config.upstream_port = static_cast<std::uint16_t>(master.port);
  config.group_name = group;
  config.sentinel_managed = true;
  config.group_failover_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(served.config.failover_timeout);
}

}  // namespace

sentinel::io::SentinelFileConfig own_sentinel_config(const Config& config,
                                                     const std::string& file) {
  if (file.empty()) {
    throw SentinelConfigError(
        "the sentinel needs a config file: it rewrites it with its state (as Sentinel)");
  }
  sentinel::io::SentinelFileConfig sentinel;
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  sentinel.lines = sentinel::io::split_config_text(text.str());
  sentinel.redis_file = false;
  sentinel.engine.port = config.sentinel_port;
  sentinel.tls_port = config.sentinel_tls_port;
  sentinel.tls = config.tls;
  sentinel.bind = config.bind;
  sentinel.tcp_keepalive = config.tcp_keepalive;
  // In Sentinel's three passes, as drop-in mode reads them: any order loads.
  std::vector<sentinel::io::SentinelLine> lines;
  for (const auto& d : config.sentinel_directives) {
    if (protocol::to_lower(d[0]) != "sentinel") {
      const std::string error = sentinel::io::apply_sentinel_directive(sentinel, d);
      if (!error.empty()) throw SentinelConfigError(file + ": " + error);
      continue;
    }
    std::string words;
    for (const std::string& word : d) words += (words.empty() ? "" : " ") + word;
    lines.push_back({d, file, words});
  }
  sentinel::io::apply_sentinel_lines(sentinel, lines);
  if (sentinel.engine.groups.empty()) throw SentinelConfigError("no 'sentinel monitor' line");
  sentinel.served_group = served_group(config, sentinel);
  return sentinel;
}

int run_proxy_with_sentinel(Config config, const std::string& file) {
  auto sentinel_config = own_sentinel_config(config, file);
  const std::string group = sentinel_config.served_group;
  asio::io_context engine_io;
  ServedViewBridge* bridge = nullptr;  // both set before the engine starts
  FailoverRecorder* failovers = nullptr;
  sentinel::io::SentinelService service(
      engine_io.get_executor(), std::move(sentinel_config), file, kVersion,
      [&bridge](const sentinel::ServedView& view) { bridge->apply(view); },
      [&failovers, group](const sentinel::Notice& notice, const sentinel::Engine& engine) {
        feed_failover_notice(*failovers, engine, group, notice);
      });
  start_on_engine_master(config, service.shell().engine(), group);
  Server server(config);
  ServedViewBridge view_bridge(server.registry(), config.fence_on_minority);
  bridge = &view_bridge;
  // fence-on-minority can change at run time; the bridge lives on the engine's thread.
  server.context().settings.subscribe([&engine_io, &view_bridge](const ConfigPtr& settings) {
    asio::post(engine_io, [&view_bridge, on = settings->fence_on_minority] {
      view_bridge.set_fence_on_minority(on);
    });
  });
  failovers = &server.failovers();
  failovers->set_config_epoch(service.shell().engine().group(group)->config_epoch);
  server.context().sentinel_tls = service.tls();
  server.context().sentinel_counts = [&service] {
    return ProxyContext::SentinelCounts{service.hellos_rejected(), service.config_save_failures()};
  };
  server.context().request_failover = [&service](std::string replica,
                                                 ProxyContext::FailoverAnswer done) {
    service.request_failover(std::move(replica), std::move(done));
  };
  Server::UpgradeSteps upgrade;
  upgrade.stop_sentinel = [&engine_io, &service](std::function<void(std::string)> done) {
    asio::post(engine_io, [&service, done = std::move(done)] { done(service.stop_for_upgrade()); });
  };
  upgrade.resume_sentinel = [&engine_io, &service] {
    asio::post(engine_io, [&service] { service.resume_after_upgrade(); });
  };
  // A process started by an upgrade starts its sentinel only once the old one stopped
  // serving: until then the old one may still have to go on.
  if (is_replacement()) {
    upgrade.start_sentinel = [&engine_io, &service] {
      asio::post(engine_io, [&service] { service.start(); });
    };
  } else {
    service.start();
  }
  server.set_upgrade_steps(std::move(upgrade));
  std::thread engine_thread([&engine_io] {
    auto guard = asio::make_work_guard(engine_io);
    engine_io.run();
  });
  const int code = server.run();
  asio::post(engine_io, [&] {
    service.stop();
    engine_io.stop();
  });
  engine_thread.join();
  return code;
}

}  // namespace sp::proxy

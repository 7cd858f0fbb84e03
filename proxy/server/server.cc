#include "proxy/server/server.h"

#include <unistd.h>

#include <csignal>
#include <functional>
#include <thread>

#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>

#include "common/asio_util.h"
#include "common/systemd_notify.h"
#include "proxy/admin/master_auth_watch.h"
#include "proxy/config/config_loader.h"
#include "proxy/config/logging.h"
#include "proxy/config/runtime_config.h"
#include "proxy/metrics/http_endpoint.h"
#include "proxy/metrics/metrics_collector.h"
#include "proxy/server/listener.h"
#include "proxy/server/open_files_limit.h"
#include "proxy/server/proxy_context.h"
#include "proxy/server/upgrade.h"
#include "proxy/server/worker.h"
#include "sp/version.h"

namespace sp::proxy {
namespace {

// Resolves once at start-up; sessions then connect to a literal address without lookups.
std::string resolve(const std::string& host, std::uint16_t port) {
  std::error_code ec;
  auto literal = asio::ip::make_address(host, ec);
  if (!ec) return literal.to_string();
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty()) {
    throw std::runtime_error("cannot resolve upstream host '" + host + "': " + ec.message());
  }
  return results.begin()->endpoint().address().to_string();
}

constexpr auto kDrainDeadline = std::chrono::seconds(5);
// How long a new process may take to listen before the upgrade is given up.
constexpr auto kUpgradeDeadline = std::chrono::seconds(30);

// Why the proxy should not get new clients now (/readyz), or "" when it should.
std::string not_ready_reason(const ProxyContext& context) {
  const TopologyPtr topology = context.registry.current();
  if (!topology || topology->master_port == 0) return "no master known";
  if (!context.master_reachable.load(std::memory_order_relaxed)) {
    return "master " + topology->master_address() + " unreachable";
  }
  if (topology->writes_fenced) return "writes fenced (fence-on-minority)";
  return "";
}

// "port 26380", "TLS port 26381", or both.
std::string client_ports(const Config& c) {
  std::string text;
  if (c.port != 0) text.append("port ").append(std::to_string(c.port));
  if (c.tls_port != 0) {
    if (!text.empty()) text.append(" and ");
    text.append("TLS port ").append(std::to_string(c.tls_port));
  }
  return text;
}

}  // namespace

Server::Server(Config config) : main_io_(std::make_unique<asio::io_context>()) {
  const auto threads = static_cast<std::size_t>(config.io_threads);
  context_ = std::make_unique<ProxyContext>(std::move(config), threads);
  const Config& c = context_->config;
  if (c.port == 0 && c.tls_port == 0) {
    throw std::runtime_error("Configured to not listen anywhere (port 0 and no tls-port)");
  }
  if (c.tls_port != 0 || c.tls.replication) {
    try {
      context_->tls = std::make_shared<tls::TlsStore>(c.tls, c.tls_port != 0, c.tls.replication);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(std::string("TLS: ") + e.what());
    }
  }
  auto topology = std::make_shared<Topology>();
  topology->group = c.group_name;
  topology->master_host = c.upstream_host;
  topology->master_ip = resolve(c.upstream_host, c.upstream_port);
  topology->master_port = c.upstream_port;
  topology->epoch = 0;
  context_->registry.publish(std::move(topology));

  std::vector<Worker*> raw;
  for (std::size_t i = 0; i < threads; ++i) {
    workers_.push_back(std::make_unique<Worker>(i, *context_));
    raw.push_back(workers_.back().get());
  }
  for (auto& worker : workers_) {
    context_->registry.subscribe([w = worker.get()](const TopologyPtr& t) { w->publish(t); });
  }
  // A master published with a higher epoch is the moment clients were swapped over (a short
  // locked update on the publishing thread, never on the data path).
  context_->registry.subscribe([recorder = &context_->failovers](const TopologyPtr& t) {
    recorder->on_published(t->master_address(), t->epoch, FailoverStamp::now());
  });
  // Settings changed at run time reach each worker as topologies do, and the log level
  // at once.
  for (auto& worker : workers_) {
    context_->settings.subscribe([w = worker.get()](const ConfigPtr& s) { w->apply_settings(s); });
  }
  context_->settings.subscribe([](const ConfigPtr& s) { set_log_level(s->loglevel); });
  context_->fit_maxclients = [files_per_client =
                                  c.backend_pool_size > 0 ? 1u : 2u](std::uint32_t wanted) {
    return fit_maxclients_to_open_files(wanted, files_per_client);
  };
  try {
    context_->settings.set_as_read(read_config_again(c));
  } catch (const std::exception& e) {
    // Changed or gone since start-up: what start-up read is the base for the next reload.
  }
  if (c.port != 0) listener_ = std::make_unique<Listener>(raw, c.bind, c.port, c.tcp_backlog);
  if (c.tls_port != 0) {
    tls_listener_ =
        std::make_unique<Listener>(raw, c.bind, c.tls_port, c.tcp_backlog, /*tls=*/true);
  }
  if (c.metrics_port != 0) {
    HttpEndpoint::Routes routes;
    routes.metrics = [this] {
      return collector_ ? prometheus::TextSerializer().Serialize(collector_->Collect())
                        : std::string();
    };
    routes.not_ready = [context = context_.get()] { return not_ready_reason(*context); };
    metrics_port_ =
        std::make_unique<HttpEndpoint>(*main_io_, c.metrics_bind, c.metrics_port, routes);
  }
}

TopologyRegistry& Server::registry() {
  return context_->registry;
}

ProxyContext& Server::context() {
  return *context_;
}

FailoverRecorder& Server::failovers() {
  return context_->failovers;
}

Server::~Server() {
  metrics_port_.reset();
  for (auto& worker : workers_) worker->stop_and_join();
}

bool Server::reload_tls(const tls::TlsSettings& settings) {
  // The certificates are read again even when their names did not change: a renewed
  // certificate is usually the same file, rewritten.
  const std::pair<const char*, const std::shared_ptr<tls::TlsStore>*> stores[] = {
      {"the client port and the links to the master", &context_->tls},
      {"the sentinel", &context_->sentinel_tls}};
  bool all = true;
  for (const auto& [scope, store] : stores) {
    if (!*store) continue;
    const std::string error = (*store)->reload(settings);
    if (error.empty()) {
      spdlog::info("received SIGHUP: TLS certificates and settings reloaded for {}", scope);
    } else {
      all = false;
      spdlog::warn("received SIGHUP: TLS of {} kept its certificates and settings: {}", scope,
                   error);
    }
  }
  return all;
}

void Server::reload_settings() {
  const Config& running = context_->config;
  if (running.config_file.empty()) {
    reload_tls(running.tls);  // set on the command line: only the files can have changed
    return;
  }
  Config fresh;
  try {
    fresh = read_config_again(running);
  } catch (const std::exception& e) {
    spdlog::warn("received SIGHUP: the config file was not reloaded, nothing changed: {}",
                 e.what());
    return;
  }
  const tls::TlsSettings fresh_tls = fresh.tls;
  std::vector<FileChange> changes;
  const std::string error =
      context_->settings.reload(std::move(fresh), context_->fit_maxclients, changes);
  if (!error.empty()) {
    spdlog::warn("received SIGHUP: the config file's changes were not applied: {}", error);
    return;
  }
  const bool tls_reloaded = (context_->tls || context_->sentinel_tls) && reload_tls(fresh_tls);
  for (const FileChange& change : changes) {
    // The TLS reload applied these (for the connections made from now on).
    const bool applied_by_tls = tls_reloaded && change.name.starts_with("tls-") &&
                                change.name != "tls-port" && change.name != "tls-replication";
    if (change.live || applied_by_tls) {
      spdlog::info("received SIGHUP: {} changed from '{}' to '{}'", change.name, change.before,
                   change.after);
    } else {
      spdlog::warn(
          "received SIGHUP: {} changed in the config file from '{}' to '{}'; it cannot change "
          "while running and applies at the next start",
          change.name, change.before, change.after);
    }
  }
  if (changes.empty()) spdlog::info("received SIGHUP: the config file is as it was");
}

int Server::run() {
  // The port was bound at construction; the collector reads the hooks set since (the
  // sentinel's counters), so it is registered only now, before the first worker thread.
  asio::io_context& main_io = *main_io_;
  if (metrics_port_) {
    collector_ = std::make_shared<MetricsCollector>(*context_);
    metrics_port_->start();
  }
  asio::signal_set signals(main_io, SIGINT, SIGTERM);
  // SIGHUP (logrotate's postrotate, `systemctl reload`) reopens the log file and applies
  // what changed in the config file; clients notice nothing. Without this it would end
  // the process.
  asio::signal_set hangups(main_io, SIGHUP);
  std::function<void(std::error_code, int)> on_hangup = [&](std::error_code ec, int) {
    if (ec) return;
    reopen_log_file();
    reload_settings();
    hangups.async_wait(on_hangup);
  };
  hangups.async_wait(on_hangup);
  int received = 0;
  asio::signal_set upgrades(main_io, SIGUSR2);
  auto end_serving = [&](int signal) {
    received = signal;
    signals.cancel();
    hangups.cancel();
    upgrades.cancel();
    // The metrics port's accept loop (and anything else on main_io) would keep run()
    // from returning: the drain starts now.
    if (metrics_port_) metrics_port_->stop();
    main_io.stop();
  };
  signals.async_wait([&](std::error_code ec, int signal) {
    if (!ec) end_serving(signal);
  });
  // SIGUSR2: an upgrade. The new process gets the listening sockets; once it listens this
  // one drains as on SIGTERM, and if it fails this one goes on serving. With the sentinel
  // inside, this one's sentinel stops first (one sentinel of an id at a time).
  std::function<void(std::error_code, int)> on_upgrade;
  auto replace = [&] {
    start_replacement(main_io, kUpgradeDeadline, [&](std::string error) {
      if (!error.empty()) {
        if (upgrade_steps_.resume_sentinel) upgrade_steps_.resume_sentinel();
        spdlog::warn("upgrade failed: {}; this process goes on serving", error);
        upgrades.async_wait(on_upgrade);
        return;
      }
      spdlog::info("the new process listens: this one stops accepting and drains its clients");
      end_serving(SIGUSR2);
    });
  };
  on_upgrade = [&](std::error_code ec, int) {
    if (ec) return;
    spdlog::info("received SIGUSR2: starting a new process to take the listening sockets over");
    if (!upgrade_steps_.stop_sentinel) {
      replace();
      return;
    }
    upgrade_steps_.stop_sentinel([&main_io, &replace, &upgrades, &on_upgrade](std::string error) {
      asio::post(main_io, [&replace, &upgrades, &on_upgrade, error = std::move(error)] {
        if (!error.empty()) {
          spdlog::warn("upgrade refused: {}; try again later", error);
          upgrades.async_wait(on_upgrade);
          return;
        }
        replace();
      });
    });
  };
  upgrades.async_wait(on_upgrade);
  // Whether the master demands authentication decides what unauthenticated clients may do
  // (Security in README.md): known before the first client is accepted when the master
  // answers, and kept up to date from then on.
  {
    asio::io_context probe_io;
    asio::co_spawn(probe_io, probe_master_auth(*context_), LogStrayException{"auth probe"});
    probe_io.run();
  }
  asio::co_spawn(workers_.front()->io(), watch_master_auth(*context_),
                 LogStrayException{"auth watch"});
  for (auto& worker : workers_) worker->start();
  if (listener_) listener_->start();
  if (tls_listener_) tls_listener_->start();
  const Config& c = context_->config;
  const bool supervised = supervised_by_systemd(c.supervised);
  const bool replacing = is_replacement();
  if (supervised) {
    // Every port listens: the unit is started. Each new master is told in STATUS=.
    context_->registry.subscribe([context = context_.get()](const TopologyPtr& t) {
      notify_systemd("STATUS=master " + t->master_address() + ", epoch " +
                     std::to_string(t->epoch) + ", " +
                     std::to_string(context->clients.load(std::memory_order_relaxed)) + " clients");
    });
    // A replacement becomes the unit's main process (the units allow it: NotifyAccess=all).
    notify_systemd(replacing ? "MAINPID=" + std::to_string(::getpid()) + "\nREADY=1" : "READY=1");
  }
  if (replacing) {
    // Every port listens and systemd knows this process: the one it replaces may stop
    // accepting now, and the pidfile names this one from now on.
    if (tell_replaced_process_ready()) {
      write_pidfile(c.pidfile);
      if (upgrade_steps_.start_sentinel) upgrade_steps_.start_sentinel();
    } else {
      // The old process gave up waiting and runs on, its sentinel too: a second one with
      // the same id must not start. This one leaves as on SIGTERM.
      spdlog::critical("the process this one replaces gave up waiting for it: exiting");
      std::raise(SIGTERM);
    }
  }
  spdlog::info(
      "sentinel-proxy {} ready: clients on {}, master of '{}' at {}:{}{}, {} io "
      "thread(s), {}, metrics {}",
      kVersion, client_ports(c), c.group_name, c.upstream_host, c.upstream_port,
      c.tls.replication ? " over TLS" : "", c.io_threads,
      c.backend_pool_size == 0 ? std::string("a master connection per client")
                               : "pooled: " + std::to_string(c.backend_pool_size) +
                                     " shared master connection(s) per io thread",
      c.metrics_port ? c.metrics_bind + ":" + std::to_string(c.metrics_port) : "off");
  main_io.run();
  const bool handed_over = received == SIGUSR2;
  if (!handed_over) abandon_replacement();
  spdlog::info("{}, shutting down", handed_over          ? "handed over to the new process"
                                    : received == SIGINT ? "received SIGINT"
                                                         : "received SIGTERM");
  // After a hand-over the unit goes on, in the new process.
  if (supervised && !handed_over) notify_systemd("STOPPING=1\nSTATUS=draining clients");
  if (listener_) listener_->stop();
  if (tls_listener_) tls_listener_->stop();
  for (auto& worker : workers_) {
    if (handed_over) {
      worker->leave_when_idle();
    } else {
      worker->drain();
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + kDrainDeadline;
  while (context_->clients.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (auto& worker : workers_) worker->stop_and_join();
  spdlog::info("bye");
  spdlog::default_logger()->flush();
  return 0;
}

}  // namespace sp::proxy

#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "proxy/config/config.h"

namespace asio {
class io_context;
}

namespace sp::proxy {

struct ProxyContext;
class Worker;
class Listener;
class MetricsCollector;
class HttpEndpoint;
class TopologyRegistry;
class FailoverRecorder;

// The whole proxy: the context, the workers, the listener and the metrics port (metrics,
// health and readiness: HttpEndpoint).
// Construction resolves the upstream, publishes the first topology and binds every port
// (throwing with a clear message when it cannot); run() serves until SIGINT/SIGTERM.
class Server {
 public:
  explicit Server(Config config);
  ~Server();

  // Serves until a signal, then stops accepting, lets sessions flush what their backends
  // already sent (up to a few seconds) and returns 0. SIGUSR2 hands the listening sockets
  // over to a new process of the binary (upgrade.h) and ends the same way once it listens.
  int run();

  // With the sentinel inside, what an upgrade does with it (own_sentinel_mode.cc); set
  // before run().
  struct UpgradeSteps {
    // Before the new process starts: stop the sentinel with its state saved. `done` gets
    // "" or why not, from any thread.
    std::function<void(std::function<void(std::string error)> done)> stop_sentinel;
    // The new process failed: this one's sentinel goes on.
    std::function<void()> resume_sentinel;
    // In the new process, once it listens and told the old one: start the sentinel (not
    // earlier, so that the old one's can go on if this process fails before that).
    std::function<void()> start_sentinel;
  };
  void set_upgrade_steps(UpgradeSteps steps) { upgrade_steps_ = std::move(steps); }

  // Where topology changes enter (the sentinel engine publishes new masters here).
  TopologyRegistry& registry();
  // The state the workers share (set its hooks before run(): nothing reads them earlier).
  ProxyContext& context();
  // Where the sentinel's notices about the served group are recorded.
  FailoverRecorder& failovers();

 private:
  std::unique_ptr<asio::io_context> main_io_;  // signals and the metrics port
  std::unique_ptr<ProxyContext> context_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<Listener> listener_;      // `port`, unless 0
  std::unique_ptr<Listener> tls_listener_;  // `tls-port`, when set
  std::shared_ptr<MetricsCollector> collector_;
  std::unique_ptr<HttpEndpoint> metrics_port_;
  UpgradeSteps upgrade_steps_;

  void reload_settings();
  // Every TLS store reads its certificates again with `settings`: false when one refused.
  bool reload_tls(const tls::TlsSettings& settings);
};

}  // namespace sp::proxy

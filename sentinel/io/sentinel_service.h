#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <asio/any_io_executor.hpp>

#include "sentinel/io/config/sentinel_config.h"
#include "sentinel/script_triggers.h"
#include "sentinel/served_view.h"

namespace asio {
class io_context;
}

namespace sp::tls {
class TlsStore;
}

namespace sp::sentinel::io {

class EngineShell;
class ScriptRunner;
class SentinelCommands;
class SentinelPort;

// A sentinel as redis-sentinel runs one, on one executor (the engine thread): the engine
// and its shell, the sentinel port, every notice logged and published on its own channel,
// the groups' notification and client-reconfig scripts run for the notices that call for
// them, and the state rewritten into `config_path` before a vote or an epoch change is
// answered.
class SentinelService {
 public:
  using ViewCallback = std::function<void(const ServedView&)>;
  using NoticeCallback = std::function<void(const Notice&, const Engine&)>;
  // The refusal's text without the leading '-', "" when the failover started.
  using FailoverAnswer = std::function<void(std::string error)>;

  // Binds the sentinel port (unless `sentinel-port`/`port` is 0); throws when it cannot.
  // `on_view` receives the view of `config.served_group` (proxy mode), `on_notice` every
  // notice; both on the engine's executor.
  SentinelService(asio::any_io_executor executor, SentinelFileConfig config,
                  std::string config_path, std::string version, ViewCallback on_view = {},
                  NoticeCallback on_notice = {});
  ~SentinelService();
  SentinelService(const SentinelService&) = delete;
  SentinelService& operator=(const SentinelService&) = delete;

  // start() starts the engine and takes clients on the sentinel port (bound, and queueing
  // connections, since construction).
  void start();
  void stop();
  EngineShell& shell() { return *shell_; }

  // An upgrade by hand-over with the sentinel inside (README.md, "Running in production"):
  // the engine stops (no tick, link, vote or reply) with its state saved in the file,
  // which the new process loads, and the sentinel port closes its clients but keeps its
  // listening socket for the new process, so that one sentinel of this id runs at a time.
  // Returns why not ("" when stopped): not during a failover of a monitored group.
  std::string stop_for_upgrade();
  // The new process failed before it started its sentinel: this one goes on where it
  // stopped (the links it closed count as lost; TILT after a stop of over 2 s).
  void resume_after_upgrade();

  // PROXY FAILOVER from any thread: the request is made on the engine's executor and
  // `done` called there with the answer.
  void request_failover(std::string replica, FailoverAnswer done);

  // From any thread: rewrites of the config file that failed since start, and hellos the
  // engine refused.
  std::uint64_t config_save_failures() const {
    return config_save_failures_.load(std::memory_order_relaxed);
  }
  std::uint64_t hellos_rejected() const;

  // The TLS contexts of the sentinel port and links (null without TLS), for the metrics.
  const std::shared_ptr<tls::TlsStore>& tls() const { return tls_; }
  // On the engine's executor: the certificates and keys read again with `settings` (the
  // connections made from now on use them); "" or why the old ones stay.
  std::string reload_tls(const tls::TlsSettings& settings);

 private:
  void persist(const PersistedState& state);
  void crash_if_simulated(const Notice& notice);
  void load_acl_users();
  void publish(const Notice& notice);

  SentinelFileConfig config_;
  std::string config_path_;
  asio::any_io_executor executor_;
  NoticeCallback on_notice_;
  std::unique_ptr<ScriptRunner> scripts_;
  ScriptTriggers script_triggers_;
  std::unique_ptr<EngineShell> shell_;
  std::unique_ptr<SentinelCommands> commands_;
  std::unique_ptr<SentinelPort> port_;
  std::shared_ptr<tls::TlsStore> tls_;
  bool publishing_ = false;
  bool stopped_for_upgrade_ = false;
  std::atomic<std::uint64_t> config_save_failures_{0};
  bool save_failing_ = false;  // the last save failed: say so when one succeeds again
};

// Drop-in mode (`sentinel-proxy --sentinel sentinel.conf`): a SentinelService alone until
// SIGTERM/SIGINT. SIGHUP calls `on_hangup` (the log file reopened) and goes on. Returns
// the exit code, 0 after a signal.
// `attach` (when set) starts what is served beside the sentinel on its thread (drop-in
// mode's metrics port) once the service exists; what it returns lives until the loop ends.
using Attachment =
    std::function<std::shared_ptr<void>(asio::io_context& io, SentinelService& service)>;
int run_sentinel(SentinelFileConfig config, const std::string& config_path,
                 const std::string& version, std::function<void()> on_hangup = {},
                 Attachment attach = {});

}  // namespace sp::sentinel::io

#pragma once

#include <functional>
#include <memory>
#include <string>

#include <asio/any_io_executor.hpp>

#include "sentinel/io/sentinel_config.h"
#include "sentinel/script_triggers.h"

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
  using SwitchCallback = std::function<void(const SwitchMaster&)>;
  using NoticeCallback = std::function<void(const Notice&)>;

  // Binds the sentinel port (unless `sentinel-port`/`port` is 0); throws when it cannot.
  SentinelService(asio::any_io_executor executor, SentinelFileConfig config,
                  std::string config_path, std::string version, SwitchCallback on_switch = {},
                  NoticeCallback on_notice = {});
  ~SentinelService();
  SentinelService(const SentinelService&) = delete;
  SentinelService& operator=(const SentinelService&) = delete;

  void start();
  void stop();
  EngineShell& shell() { return *shell_; }
  // Rewrites of the config file that failed since start (read on the engine's thread).
  std::uint64_t config_save_failures() const { return config_save_failures_; }

 private:
  void persist(const PersistedState& state);
  void crash_if_simulated(const Notice& notice);
  void load_acl_users();
  void publish(const Notice& notice);

  SentinelFileConfig config_;
  std::string config_path_;
  SwitchCallback on_switch_;
  NoticeCallback on_notice_;
  std::unique_ptr<ScriptRunner> scripts_;
  ScriptTriggers script_triggers_;
  std::unique_ptr<EngineShell> shell_;
  std::unique_ptr<SentinelCommands> commands_;
  std::unique_ptr<SentinelPort> port_;
  bool publishing_ = false;
  std::uint64_t config_save_failures_ = 0;
  bool save_failing_ = false;  // the last save failed: say so when one succeeds again
};

// Drop-in mode (`sentinel-proxy --sentinel sentinel.conf`): a SentinelService alone until
// SIGTERM/SIGINT. Returns the exit code, 0 after a signal.
int run_sentinel(SentinelFileConfig config, const std::string& config_path,
                 const std::string& version);

}  // namespace sp::sentinel::io

#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sentinel/io/port/acl.h"
#include "sentinel/io/port/acl_log.h"
#include "sentinel/io/port/port_client.h"
#include "sentinel/io/shell/engine_access.h"
#include "sentinel/io/shell/script_queue.h"

namespace sp::sentinel::io {

// Facts about this process that INFO and HELLO report.
struct ServerFacts {
  std::string version;  // reported as redis_version, as Sentinel reports its server's
  std::string run_id;   // the process run id (not the sentinel id), 40 hex chars
  std::string config_file;
  std::string executable;
  int port = 26379;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

// The commands a Sentinel 7.0 answers on its port, with its reply shapes and error texts
// (SENTINEL-PROTOCOL.md §10). Pub/Sub is the port's own business; everything else lands
// here. Reads the engine through the shell and, for requests that change it (votes,
// hellos), runs the shell's actions before replying so that state is persisted first.
class SentinelCommands {
 public:
  SentinelCommands(EngineAccess& shell, ServerFacts facts)
      : shell_(shell), facts_(std::move(facts)) {}

  // The port whose clients CLIENT LIST/KILL and INFO report.
  void set_port(PortClients* port) { port_ = port; }

  // The sentinel's ACL users (requirepass is the default user's password); `persist`
  // writes the config file after ACL SETUSER/DELUSER.
  AclUsers& acl_users() { return acl_users_; }
  void set_acl_persist(std::function<void()> persist) { persist_acl_ = std::move(persist); }
  // "user ..." lines for the config file.
  std::vector<std::string> acl_user_lines() const;

  // Runs before every command, Pub/Sub included: false (with the refusal written to
  // `out`) when the client's ACL user may not run it or use its channels.
  bool admit(PortClient& client, std::span<const std::string_view> args, std::string& out);

  // SENTINEL SIMULATE-FAILURE, checked by the service on each notice.
  struct SimulatedFailures {
    bool crash_after_election = false;
    bool crash_after_promotion = false;
    // INFO's sentinel_simulate_failure_flags: Sentinel's bits (1 and 2).
    int flags() const { return (crash_after_election ? 1 : 0) | (crash_after_promotion ? 2 : 0); }
  };
  const SimulatedFailures& simulated_failures() const { return simulated_failures_; }

  // Rewrites of the config file that failed, shown by INFO (sentinel_config_save_failures).
  void set_config_save_failures(std::uint64_t n) { config_save_failures_ = n; }

  // SENTINEL CONFIG GET/SET: the sentinel-wide options, owned by the service (which
  // applies and persists a change before `set` returns).
  struct ConfigAccess {
    std::function<std::vector<std::pair<std::string, std::string>>()> get;
    std::function<std::string(std::string_view name, std::string_view value)> set;
  };
  void set_config_access(ConfigAccess access) { config_access_ = std::move(access); }

  // The user scripts' queue, for SENTINEL PENDING-SCRIPTS and INFO; not owned.
  void set_script_queue(const ScriptQueue* scripts) { scripts_ = scripts; }

  AfterReply handle(PortClient& client, std::span<const std::string_view> args, std::string& out);

 private:
  void sentinel(PortClient& client, std::span<const std::string_view> args, std::string& out);
  void info(PortClient& client, std::span<const std::string_view> args, std::string& out);
  void role(PortClient& client, std::string& out);
  void publish(PortClient& client, std::span<const std::string_view> args, std::string& out);
  void hello(PortClient& client, std::span<const std::string_view> args, std::string& out);
  void auth(PortClient& client, std::span<const std::string_view> args, std::string& out);
  // AUTH and HELLO's AUTH option: switches the client's user or writes WRONGPASS.
  bool authenticate(PortClient& client, std::string_view user, std::string_view password,
                    std::string_view command, std::string& out);
  void is_master_down_by_addr(PortClient& client, std::span<const std::string_view> args,
                              std::string& out);
  void ckquorum(PortClient& client, std::string_view name, std::string& out);
  std::string info_sentinel_section() const;
  std::string info_server_section() const;
  std::string info_clients_section() const;
  std::string info_stats_section() const;
  std::string info_cpu_section() const;

  void debug(PortClient& client, std::span<const std::string_view> args, std::string& out);
  void config(PortClient& client, std::span<const std::string_view> args, std::string& out);
  void simulate_failure(PortClient& client, std::span<const std::string_view> args,
                        std::string& out);

  EngineAccess& shell_;
  ServerFacts facts_;
  SimulatedFailures simulated_failures_;
  std::uint64_t config_save_failures_ = 0;
  ConfigAccess config_access_;
  PortClients* port_ = nullptr;
  AclUsers acl_users_;
  AclLog acl_log_;
  std::function<void()> persist_acl_;
  const ScriptQueue* scripts_ = nullptr;
};

}  // namespace sp::sentinel::io

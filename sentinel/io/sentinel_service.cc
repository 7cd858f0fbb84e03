#include "sentinel/io/sentinel_service.h"

#include <unistd.h>

#include <csignal>
#include <fstream>
#include <random>
#include <sstream>

#include <spdlog/spdlog.h>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>

#include "common/systemd_notify.h"
#include "common/tls/tls_store.h"
#include "protocol/command_table.h"
#include "protocol/inline_args.h"
#include "sentinel/io/port/sentinel_commands.h"
#include "sentinel/io/port/sentinel_port.h"
#include "sentinel/io/shell/engine_shell.h"
#include "sentinel/io/shell/script_runner.h"

namespace sp::sentinel::io {
namespace {

std::string executable_path() {
  char path[4096];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path);
  return n > 0 ? std::string(path, static_cast<std::size_t>(n)) : std::string();
}

std::string random_run_id() {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(40, '0');
  for (char& c : id) c = kHex[rd() % 16];
  return id;
}

}  // namespace

SentinelService::SentinelService(asio::any_io_executor executor, SentinelFileConfig config,
                                 std::string config_path, std::string version, ViewCallback on_view,
                                 NoticeCallback on_notice)
    : config_(std::move(config)),
      config_path_(std::move(config_path)),
      executor_(executor),
      on_notice_(std::move(on_notice)) {
  scripts_ = std::make_unique<ScriptRunner>(
      executor,
      [this] {
        const Timings& t = shell_->engine().timings();
        return ScriptLimits{
            std::chrono::duration_cast<std::chrono::milliseconds>(t.script_max_runtime),
            std::chrono::duration_cast<std::chrono::milliseconds>(t.script_retry_delay)};
      },
      [this](const Notice& notice) { publish(notice); });
  ShellCallbacks callbacks;
  callbacks.persist = [this](const PersistedState& state) { persist(state); };
  callbacks.on_notice = [this](const Notice& notice) {
    publish(notice);
    for (auto& argv : script_triggers_.on_notice(notice, shell_->engine().groups())) {
      scripts_->schedule(std::move(argv));
    }
    crash_if_simulated(notice);
  };
  callbacks.on_served_view = std::move(on_view);
  config_.shell.served_group = config_.served_group;
  if (config_.tls_port != 0 || config_.tls.replication) {
    // Throws with Redis's words (a missing certificate, a CA required...): start-up only.
    tls_ = std::make_shared<tls::TlsStore>(config_.tls, config_.tls_port != 0,
                                           config_.tls.replication);
  }
  if (config_.tls.replication) config_.shell.tls = tls_;
  // mirrors sentinelSendHello: with tls-replication, peers are told the TLS port (unless
  // announce-port says otherwise).
  EngineConfig engine = config_.engine;
  if (config_.tls.replication && config_.tls_port != 0) engine.port = config_.tls_port;
  shell_ = std::make_unique<EngineShell>(executor, engine, config_.persisted, config_.shell,
                                         std::move(callbacks));
  shell_->engine().set_script_policy({config_.deny_scripts_reconfig, is_executable_file});
  ServerFacts facts;
  facts.version = std::move(version);
  facts.run_id = random_run_id();
  facts.config_file = config_path_;
  facts.port = config_.engine.port;
  facts.executable = executable_path();
  commands_ = std::make_unique<SentinelCommands>(*shell_, std::move(facts));
  port_ = std::make_unique<SentinelPort>(
      executor, [this](PortClient& client, std::span<const std::string_view> args,
                       std::string& out) { return commands_->handle(client, args, out); });
  port_->set_gate([this](PortClient& client, std::span<const std::string_view> args,
                         std::string& out) { return commands_->admit(client, args, out); });
  commands_->set_port(port_.get());
  load_acl_users();
  commands_->set_script_queue(scripts_.get());
  commands_->set_config_access(
      {[this] { return sentinel_globals(config_); },
       [this](std::string_view name, std::string_view value) {
         std::string error = set_sentinel_global(config_, name, value);
         if (!error.empty()) return error;
         shell_->engine().set_announce(config_.engine.announce_ip, config_.engine.announce_port);
         shell_->engine().set_hostname_policy(config_.engine.hostnames);
         shell_->set_peer_credentials(config_.shell.sentinel_user, config_.shell.sentinel_pass);
         if (name == "sentinel-user" || name == "sentinel-pass") {
           shell_->engine().drop_sentinel_connections();
           shell_->run_actions();
         }
         shell_->persist_now();
         return error;
       }});
  // Clients start as `default`; they must AUTH first unless it opens without a password.
  const AclUser* default_user = commands_->acl_users().find("default");
  port_->require_auth(default_user == nullptr || !default_user->enabled || !default_user->nopass);
  port_->set_max_clients(config_.maxclients);
  port_->set_tcp_keepalive(config_.tcp_keepalive);
  if (config_.engine.port != 0) {
    port_->open(config_.bind.front(), static_cast<std::uint16_t>(config_.engine.port));
    publishing_ = true;
  }
  if (config_.tls_port != 0) {
    port_->open_tls(config_.bind.front(), static_cast<std::uint16_t>(config_.tls_port), tls_);
    publishing_ = true;
  }
}

// requirepass is the default user's password (as in Redis 7); `user` lines apply after it.
// Each was checked when the file was read.
void SentinelService::load_acl_users() {
  AclUsers& users = commands_->acl_users();
  if (!config_.shell.requirepass.empty()) {
    const std::string password = ">" + config_.shell.requirepass;
    const std::string_view rules[] = {"resetpass", password};
    users.set_user("default", rules);
  }
  for (const std::string& line : config_.users) {
    // mirrors ACLLoadConfiguredUsers: the one user that exists already, `default`, is
    // reset before its line applies.
    std::string_view rules = std::string_view(line).substr(5);
    if (rules.starts_with("default ")) {
      const std::string_view reset[] = {"reset"};
      users.set_user("default", reset);
    }
    const std::string error = users.set_user_line(rules);
    if (!error.empty()) spdlog::warn("{}", error);
  }
  config_.users = commands_->acl_user_lines();
  commands_->set_acl_persist([this] {
    config_.users = commands_->acl_user_lines();
    shell_->persist_now();
  });
}

SentinelService::~SentinelService() {
  stop();
}

std::string SentinelService::reload_tls(const tls::TlsSettings& settings) {
  if (!tls_) return "";
  return tls_->reload(settings);
}

void SentinelService::start() {
  spdlog::warn("Sentinel ID is {}", shell_->engine().myid());
  shell_->start();
  port_->start_accepting();
}

void SentinelService::stop() {
  publishing_ = false;
  shell_->stop();
  scripts_->stop();
  port_->close();
}

std::string SentinelService::stop_for_upgrade() {
  for (const Group& group : shell_->engine().groups()) {
    if (group.failover_in_progress()) {
      return "a failover of '" + group.config.name + "' is in progress (" +
             std::string(to_string(group.failover_state)) + ")";
    }
  }
  shell_->pause();
  port_->stop_accepting();
  stopped_for_upgrade_ = true;
  shell_->persist_now();
  if (save_failing_) {
    resume_after_upgrade();
    return "the sentinel's state could not be saved in " + config_path_;
  }
  spdlog::warn("sentinel stopped for an upgrade: its state is saved in {}", config_path_);
  return "";
}

void SentinelService::resume_after_upgrade() {
  if (!stopped_for_upgrade_) return;
  stopped_for_upgrade_ = false;
  shell_->resume();
  port_->start_accepting();
  spdlog::warn("sentinel running again after the upgrade failed");
}

void SentinelService::request_failover(std::string replica, FailoverAnswer done) {
  asio::post(executor_, [this, replica = std::move(replica), done = std::move(done)] {
    if (stopped_for_upgrade_) {
      done("ERR the sentinel is stopped for an upgrade: try again on the new process");
      return;
    }
    const auto request =
        shell_->engine().request_failover(config_.served_group, EngineShell::now(), replica);
    shell_->run_actions();
    done(failover_request_error(request));
  });
}

std::uint64_t SentinelService::hellos_rejected() const {
  return shell_->hellos_rejected();
}

void SentinelService::publish(const Notice& notice) {
  if (publishing_) port_->publish(to_string(notice.kind), to_text(notice));
  if (on_notice_) on_notice_(notice, shell_->engine());
}

// SENTINEL SIMULATE-FAILURE: exit as Sentinel does (status 99) right after the step.
void SentinelService::crash_if_simulated(const Notice& notice) {
  if (!commands_) return;
  const SentinelCommands::SimulatedFailures& failures = commands_->simulated_failures();
  const bool crash = (failures.crash_after_election && notice.kind == NoticeKind::kElectedLeader) ||
                     (failures.crash_after_promotion && notice.kind == NoticeKind::kPromotedSlave);
  if (!crash) return;
  spdlog::warn("simulated failure after {}: exiting (SENTINEL SIMULATE-FAILURE)",
               to_string(notice.kind));
  spdlog::default_logger()->flush();
  std::_Exit(99);
}

void SentinelService::persist(const PersistedState& state) {
  std::vector<GroupConfig> groups;
  for (const Group& g : shell_->engine().groups()) groups.push_back(g.config);
  // SENTINEL DEBUG DEFAULT-* decide which timers the rewrite leaves out.
  config_.engine.timings = shell_->engine().timings();
  // mirrors sentinelFlushConfig: a failed rewrite is logged and the sentinel goes on (a
  // full disk or a read-only mount must not take the whole group down with it, and any
  // client able to make a hello arrive could trigger the save); the next change retries.
  // Until one succeeds, a restart would come back with the older state on disk.
  try {
    // The file as it is now: the operator's edits and PROXY CONFIG REWRITE's are kept.
    protocol::rewrite_config_file(config_path_, [&](const std::vector<std::string>& lines) {
      if (!lines.empty()) config_.lines = lines;  // else the lines last read
      return render_sentinel_config(config_, state, groups);
    });
    if (save_failing_) spdlog::warn("the sentinel config file is saved again: {}", config_path_);
    save_failing_ = false;
  } catch (const std::exception& e) {
    const std::uint64_t failures = ++config_save_failures_;
    save_failing_ = true;
    if (commands_) commands_->set_config_save_failures(failures);
    spdlog::warn("WARNING: Sentinel was not able to save the new configuration on disk!!!: {}",
                 e.what());
  }
}

namespace {

// SIGHUP in drop-in mode: the file's tls-* lines and the certificate files read again (a
// renewed certificate is usually the same file, rewritten); nothing else of the file
// changes while running, as with redis-sentinel.
void reload_tls_from_file(SentinelService& service, const std::string& config_path,
                          const std::vector<std::vector<std::string>>& command_line) {
  std::string error;
  std::ifstream in(config_path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  std::vector<std::vector<std::string>> lines;
  std::vector<std::string> args;
  for (const std::string& line : split_config_text(text.str())) {
    if (protocol::split_inline_args(line, args)) lines.push_back(args);
  }
  lines.insert(lines.end(), command_line.begin(), command_line.end());
  tls::TlsSettings settings;
  for (const auto& words : lines) {
    if (words.size() != 2 || !error.empty()) continue;
    const std::string name = protocol::to_lower(words[0]);
    const auto refused = tls::apply_tls_directive(settings, name, words[1]);
    if (refused && !refused->empty()) error = name + ": " + *refused;
  }
  if (!in) error = "cannot read " + config_path;
  if (error.empty()) error = service.reload_tls(settings);
  if (error.empty()) {
    spdlog::info("received SIGHUP: TLS certificates and settings reloaded");
  } else {
    spdlog::warn("received SIGHUP: TLS kept its certificates and settings: {}", error);
  }
}

}  // namespace

int run_sentinel(SentinelFileConfig config, const std::string& config_path,
                 const std::string& version, std::function<void()> on_hangup, Attachment attach) {
  asio::io_context io;
  const int port = config.engine.port;
  const bool supervised = supervised_by_systemd(config.supervised);
  const auto command_line = config.command_line;
  SentinelService service(io.get_executor(), std::move(config), config_path, version);
  const std::shared_ptr<void> attached = attach ? attach(io, service) : nullptr;
  // SIGHUP (logrotate) must not end the sentinel: Redis ignores it; this reopens the log.
  asio::signal_set hangups(io, SIGHUP);
  std::function<void(const std::error_code&, int)> hangup = [&](const std::error_code& ec, int) {
    if (ec) return;
    if (on_hangup) on_hangup();
    if (service.tls()) reload_tls_from_file(service, config_path, command_line);
    hangups.async_wait(hangup);
  };
  hangups.async_wait(hangup);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const std::error_code& ec, int) {
    if (ec) return;
    spdlog::warn("received a signal: sentinel is now ready to exit, bye bye...");
    if (supervised) notify_systemd("STOPPING=1");
    service.stop();
    io.stop();
  });
  service.start();
  spdlog::info("sentinel-proxy {} running in sentinel mode, port {}, config {}", version, port,
               config_path);
  if (supervised) {
    notify_systemd("READY=1\nSTATUS=sentinel on port " + std::to_string(port) + ", " +
                   std::to_string(service.shell().engine().groups().size()) + " master(s)");
  }
  io.run();
  return 0;
}

}  // namespace sp::sentinel::io

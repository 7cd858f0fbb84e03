#include "sentinel/io/sentinel_server.h"

#include <csignal>
#include <random>

#include <spdlog/spdlog.h>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

#include "sentinel/io/engine_shell.h"
#include "sentinel/io/sentinel_commands.h"
#include "sentinel/io/sentinel_port.h"

namespace sp::sentinel::io {
namespace {

std::string random_run_id() {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(40, '0');
  for (char& c : id) c = kHex[rd() % 16];
  return id;
}

}  // namespace

int run_sentinel(SentinelFileConfig config, const std::string& config_path,
                 const std::string& version) {
  asio::io_context io;
  SentinelPort* port_ptr = nullptr;
  ShellCallbacks callbacks;
  const std::vector<std::string> lines = config.lines;
  EngineShell* shell_ptr = nullptr;
  callbacks.persist = [&config_path, lines, &shell_ptr](const PersistedState& state) {
    std::vector<GroupConfig> groups;
    if (shell_ptr != nullptr) {
      for (const Group& g : shell_ptr->engine().groups()) groups.push_back(g.config);
    }
    // Sentinel cannot vote safely without its state on disk: a failed write is fatal.
    try {
      write_file_atomically(config_path, render_sentinel_config(lines, state, groups));
    } catch (const std::exception& e) {
      spdlog::critical("cannot persist the sentinel state: {}", e.what());
      std::_Exit(1);
    }
  };
  callbacks.on_notice = [&port_ptr](const Notice& notice) {
    if (port_ptr != nullptr) port_ptr->publish(notice.type, notice.text);
  };
  const int sentinel_port = config.engine.port;
  EngineShell shell(io.get_executor(), config.engine, config.persisted, config.shell,
                    std::move(callbacks));
  shell_ptr = &shell;

  ServerFacts facts;
  facts.version = version;
  facts.run_id = random_run_id();
  facts.config_file = config_path;
  facts.port = sentinel_port;
  SentinelCommands commands(shell, facts);
  SentinelPort port(io.get_executor(),
                    [&commands](PortClient& client, std::span<const std::string_view> args,
                                std::string& out) { return commands.handle(client, args, out); });
  if (sentinel_port != 0) {
    port.listen(config.bind.front(), static_cast<std::uint16_t>(sentinel_port));
    port_ptr = &port;
  }
  commands.set_client_count([&port] { return port.clients(); });

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const std::error_code& ec, int) {
    if (ec) return;
    spdlog::warn("received a signal: sentinel is now ready to exit, bye bye...");
    port_ptr = nullptr;
    shell.stop();
    port.close();
    io.stop();
  });
  spdlog::warn("Sentinel ID is {}", shell.engine().myid());
  shell.start();
  spdlog::info("sentinel-proxy {} running in sentinel mode, port {}, config {}", version,
               sentinel_port, config_path);
  io.run();
  return 0;
}

}  // namespace sp::sentinel::io

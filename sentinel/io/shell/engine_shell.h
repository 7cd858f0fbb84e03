#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>

#include "sentinel/engine.h"
#include "sentinel/io/shell/engine_access.h"
#include "sentinel/io/shell/host_cache.h"
#include "sentinel/io/shell/resp_link.h"
#include "sentinel/io/shell/shell_config.h"
#include "sentinel/served_view.h"

namespace sp::sentinel::io {

struct ShellCallbacks {
  // Must have stored the state durably when it returns: the engine's next action (a
  // vote reply, a new epoch) relies on it.
  std::function<void(const PersistedState&)> persist;
  // Every engine notice, after it was logged (the sentinel port publishes it).
  std::function<void(const Notice&)> on_notice;
  // The served group's view, at start and whenever a tick, an event or a request changed
  // it; after the notices of the same engine call.
  std::function<void(const ServedView&)> on_served_view;
};

// The engine's shell: runs the pure Engine on one executor (the engine thread), ticks it
// every 50–100 ms with jitter (as Sentinel's randomised hz does, so that sentinels started
// together do not stay in lock-step), turns its actions into commands on RespLinks and
// the replies back into events. Mirrors the I/O half of sentinel.c.
class EngineShell : public EngineAccess {
 public:
  EngineShell(asio::any_io_executor executor, EngineConfig config,
              std::optional<PersistedState> persisted, ShellConfig shell_config,
              ShellCallbacks callbacks);
  ~EngineShell();
  EngineShell(const EngineShell&) = delete;
  EngineShell& operator=(const EngineShell&) = delete;

  void start();
  void stop();
  // An upgrade by hand-over (SIGUSR2, the sentinel inside): stop() that remembers the
  // links it closed, so that resume() can tell the engine they were lost (it reconnects).
  // A pause of over 2 s puts the engine in TILT at its next tick, as any stall does.
  void pause();
  void resume();

  Engine& engine() override { return engine_; }
  const Engine& engine() const { return engine_; }

  // Runs the engine's pending actions now (after a command on the sentinel port changed
  // its state, e.g. a vote that must be persisted before the reply goes out), then hands
  // on the served view if it changed.
  void run_actions() override;

  // Hellos the engine refused since start; read from any thread.
  std::uint64_t hellos_rejected() const { return hellos_rejected_.load(std::memory_order_relaxed); }

  // SENTINEL CONFIG SET sentinel-user / sentinel-pass: used for links opened from now on.
  void set_peer_credentials(std::string user, std::string pass) {
    shell_config_.sentinel_user = std::move(user);
    shell_config_.sentinel_pass = std::move(pass);
  }

  // Persists the engine's state now (SENTINEL FLUSHCONFIG).
  void persist_now() override {
    if (callbacks_.persist) callbacks_.persist(engine_.persisted_state());
  }

  // The engine's clock (wall_clock_now).
  static TimePoint now() { return wall_clock_now(); }

 private:
  struct LinkPair {
    Endpoint to;
    std::shared_ptr<RespLink> command;
    std::shared_ptr<RespLink> pubsub;  // masters and replicas only
  };

  void begin();
  void schedule_tick();
  void execute(const Action& action);
  void hand_on_served_view();
  void connect(const Connect& c);
  void start_links(const Endpoint& to, const std::string& ip);
  void resolve_then_start(const Endpoint& to);
  void disconnect(const Endpoint& e);
  void send(const Endpoint& to, std::vector<std::string> args,
            std::function<Event(const protocol::Value&)> to_event);
  void publish_hello(const PublishHello& p);
  void link_failed(const Endpoint& e, const std::shared_ptr<RespLink>& which);
  void deliver(const Event& event);
  void deliver_later(Event event);
  RespLink* command_link(const Endpoint& e);
  std::string client_name(std::string_view role) const;

  asio::any_io_executor executor_;
  asio::steady_timer tick_timer_;
  ShellConfig shell_config_;
  ShellCallbacks callbacks_;
  Engine engine_;
  std::map<std::string, LinkPair> links_;
  HostCache hosts_;
  asio::ip::tcp::resolver resolver_;
  std::mt19937 jitter_{std::random_device{}()};
  bool stopped_ = false;
  int running_actions_ = 0;  // nesting of run_actions (a link failing at once nests it)
  std::vector<Endpoint> paused_links_;
  std::optional<ServedView> served_view_;
  std::atomic<std::uint64_t> hellos_rejected_{0};
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // posted work checks it
};

}  // namespace sp::sentinel::io

#include "proxy/follow/follow_mode.h"

#include <stdexcept>
#include <thread>

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include "common/asio_util.h"
#include "proxy/follow/sentinel_follower.h"
#include "proxy/server/proxy_context.h"
#include "proxy/server/server.h"

namespace sp::proxy {
namespace {

// How long start-up keeps asking: long enough to ride out a failover in progress (the
// sentinels name a master that does not answer ROLE as one yet), short enough that a
// wrong address is reported while someone is looking.
constexpr auto kStartupDeadline = std::chrono::seconds(10);
constexpr auto kStartupRetry = std::chrono::seconds(1);

asio::awaitable<std::optional<FollowedMaster>> find_at_start(const FollowSettings& settings,
                                                             std::string& why) {
  const auto deadline = std::chrono::steady_clock::now() + kStartupDeadline;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (true) {
    const TopologyPtr none;  // named: GCC 12 destroys a co_await's temporaries twice
    auto found = co_await find_master(settings, 0, none, why);
    if (found || std::chrono::steady_clock::now() + kStartupRetry > deadline) co_return found;
    spdlog::warn("no confirmed master for '{}' yet: {}", settings.name, why);
    timer.expires_after(kStartupRetry);
    co_await timer.async_wait(use_nothrow);
  }
}

FollowedMaster master_at_start(const FollowSettings& settings) {
  asio::io_context io;
  std::string why;
  std::optional<FollowedMaster> found;
  asio::co_spawn(io, find_at_start(settings, why),
                 [&found](std::exception_ptr error, std::optional<FollowedMaster> result) {
                   if (error) std::rethrow_exception(error);
                   found = std::move(result);
                 });
  io.run();
  if (!found) {
    throw std::runtime_error("no sentinel named a master for '" + settings.name +
                             "' that answers ROLE as master: " + why);
  }
  return *found;
}

}  // namespace

int run_proxy_following(Config config) {
  FollowSettings settings = FollowSettings::of(config);
  const FollowedMaster master = master_at_start(settings);
  spdlog::info("sentinel {} names {}:{} as the master of '{}' (config epoch {})",
               config.follow_sentinels[master.sentinel], master.ip, master.port, settings.name,
               master.config_epoch);
  config.upstream_host = master.ip;
  config.upstream_port = master.port;
  config.group_name = settings.name;
  config.sentinel_managed = true;
  config.group_failover_timeout = master.failover_timeout;

  asio::io_context follow_io;
  Server server(std::move(config));
  // One set of TLS contexts for the process, the one SIGHUP reloads.
  if (server.context().tls) settings.tls = server.context().tls;
  auto follower =
      std::make_shared<SentinelFollower>(follow_io.get_executor(), settings, server.registry());
  server.context().followed_sentinel = [follower] { return follower->followed(); };
  follower->start(master);
  std::thread follow_thread([&follow_io] {
    auto guard = asio::make_work_guard(follow_io);
    follow_io.run();
  });
  const int code = server.run();
  asio::post(follow_io, [&] {
    follower->stop();
    follow_io.stop();
  });
  follow_thread.join();
  return code;
}

}  // namespace sp::proxy

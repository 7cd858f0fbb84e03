#include "proxy/admin/master_auth_watch.h"

#include <tuple>

#include <spdlog/spdlog.h>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>

#include "common/asio_util.h"
#include "proxy/links/control_link.h"
#include "proxy/server/proxy_context.h"

namespace sp::proxy {

asio::awaitable<void> probe_master_auth(ProxyContext& context) {
  const TopologyPtr topology = context.registry.current();
  if (!topology) co_return;
  ControlLink link(co_await asio::this_coro::executor, context.tls.get());
  const auto timeout = context.settings.current()->connect_timeout;
  const std::error_code connect_ec =
      co_await link.connect(topology->master_ip, topology->master_port, timeout);
  if (connect_ec) {
    context.master_reachable.store(false, std::memory_order_relaxed);
    co_return;
  }
  // SLOWLOG LEN, an admin command, is not shown to MONITOR clients (PING would be, once a
  // second, in the MONITOR stream of everyone behind the proxy); where it was renamed away
  // (unknown command comes before the authentication check), PING answers instead.
  const std::string slowlog_len = ControlLink::command({"SLOWLOG", "LEN"});
  auto [ec, reply] = co_await link.call(slowlog_len, ControlLink::Clock::now() + timeout);
  if (!ec && reply.is_error() && reply.text.starts_with("ERR unknown command")) {
    const std::string ping = ControlLink::command({"PING"});
    std::tie(ec, reply) = co_await link.call(ping, ControlLink::Clock::now() + timeout);
  }
  context.master_reachable.store(!ec, std::memory_order_relaxed);
  if (ec) co_return;
  const bool required = reply.is_error() && reply.text.starts_with("NOAUTH");
  const MasterAuth now = required ? MasterAuth::kRequired : MasterAuth::kNotRequired;
  const MasterAuth before = context.master_auth.exchange(now);
  if (before != now) {
    spdlog::info("master {} {} authentication", topology->master_address(),
                 required ? "requires" : "does not require");
  }
}

asio::awaitable<void> watch_master_auth(ProxyContext& context) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    co_await probe_master_auth(context);
    timer.expires_after(std::chrono::seconds(1));
    const auto [ec] = co_await timer.async_wait(use_nothrow);
    if (ec) co_return;
  }
}

}  // namespace sp::proxy

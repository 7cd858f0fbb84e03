#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "proxy/server/proxy_context.h"
#include "proxy/topology/topology.h"

namespace sp::proxy {

// What a session tells PROXY INFO about itself.
struct SessionView {
  const Topology* topology = nullptr;
  bool backend_connected = false;
  int resp_version = 2;
};

// The reply to one `PROXY ...` request (args[0] is "PROXY" in any case), as RESP bytes:
//   PROXY INFO      a bulk string in INFO's "# Section / key:value" format
//   PROXY TOPOLOGY  group, master address and epoch (a map in RESP3, a flat array in RESP2)
//   PROXY FAILOVER HISTORY  the recent failovers (failover_history_reply.h)
//   PROXY CONFIG ...  the proxy's settings (proxy_config.h)
//   PROXY HELP      the list of subcommands
// anything else gets a Redis-style "-ERR unknown subcommand" reply.
std::string proxy_command_reply(std::span<const std::string_view> args, ProxyContext& context,
                                const SessionView& session);

// PROXY FAILOVER [<replica>] (not HISTORY), in canonical form: answered by the sentinel
// inside, asynchronously (ProxyContext::request_failover), when there is one.
bool is_failover_request(std::span<const std::string_view> canonical_args);
// Its reply once the sentinel answered: +OK, or the error.
std::string failover_request_reply(std::string_view error);

// "-ERR unknown subcommand '<sub>'. Try PROXY HELP.", for a name that is none (or one
// renamed away).
std::string unknown_proxy_subcommand_reply(std::string_view sub);

// "-ERR sentinel-proxy: master of '<group>' (<host>:<port>) unreachable: <cause>\r\n", the
// reply to every command while the session cannot connect to its master.
std::string master_unreachable_reply(const Topology& topology, std::string_view cause);
// The error for a command held for failover-hold-ms without a master to send it to.
std::string hold_expired_reply(const Topology& topology, std::chrono::milliseconds hold);
// The error for a write refused while the sentinel cannot reach a majority of its group's
// sentinels (fence-on-minority).
std::string writes_fenced_reply(const Topology& topology);
// CLIENT REPLY OFF|SKIP under write-durability replica.
std::string client_reply_refused_reply();

}  // namespace sp::proxy

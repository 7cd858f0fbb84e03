#pragma once

#include <asio/awaitable.hpp>

namespace sp::proxy {

struct ProxyContext;

// Asks the current master, without credentials, whether it demands authentication
// (SLOWLOG LEN, or PING where that is renamed: -NOAUTH or not) and records the answer in
// context.master_auth; an unreachable master leaves the last answer as it was.
asio::awaitable<void> probe_master_auth(ProxyContext& context);

// probe_master_auth once a second, for the life of the io_context it runs on.
asio::awaitable<void> watch_master_auth(ProxyContext& context);

}  // namespace sp::proxy

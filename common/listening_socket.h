#pragma once

#include <system_error>
#include <vector>

#include <asio/ip/tcp.hpp>

namespace sp {

// Opens `acceptor` listening on `endpoint`: with the socket bound there that the process
// this one replaces handed over (an upgrade, SIGUSR2: README.md, "Running in
// production"), so that not one connection is refused meanwhile; otherwise with a new
// socket (SO_REUSEADDR, bind, listen with `backlog`).
void listen_on(asio::ip::tcp::acceptor& acceptor, const asio::ip::tcp::endpoint& endpoint,
               int backlog, std::error_code& ec);

// Closes the handed-over sockets that no port took once every port listens (a port the
// config file no longer names).
void close_unclaimed_inherited_listeners();

// Every socket of this process that listens, for a hand-over to the process replacing it.
std::vector<int> listening_descriptors();

// The environment variable that names the handed-over sockets ("3,4,7").
inline constexpr const char* kInheritedListenersVariable = "SP_UPGRADE_LISTENERS";

}  // namespace sp

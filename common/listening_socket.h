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

// The sockets the process this one replaces handed over (proxy/server/upgrade.h), offered
// to listen_on: those that do not listen are left alone.
void offer_inherited_listeners(const std::vector<int>& fds);

// Closes the handed-over sockets that no port took once every port listens (a port the
// config file no longer names).
void close_unclaimed_inherited_listeners();

// Whether `fd` is a socket that listens.
bool listens(int fd);

// Every socket of this process that listens, for a hand-over to the process replacing it.
std::vector<int> listening_descriptors();

}  // namespace sp

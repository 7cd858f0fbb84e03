#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

namespace sp::proxy {

// The metrics port (metrics-bind:metrics-port), on the process's main io_context:
//   GET /metrics   Prometheus's text format
//   GET /healthz   200 while the process serves (a liveness probe)
//   GET /readyz    200 when a master is known, reachable and not fenced; 503 and the
//                  reason otherwise (a readiness probe, a load balancer's health check)
// HEAD as GET without the body; other paths 404, other methods 405. One request per
// connection (Connection: close): a request line and headers over 8 KiB, or not complete
// within 5 s, end the connection without a reply; past kMaxConnections open at once, a new
// connection is closed at once, so that a flood cannot take the process's descriptors.
class HttpEndpoint {
 public:
  static constexpr int kMaxConnections = 64;

  struct Routes {
    std::function<std::string()> metrics;    // the /metrics body
    std::function<std::string()> not_ready;  // "" when ready, or why not
  };

  // Binds now: throws std::runtime_error naming the address when it cannot.
  HttpEndpoint(asio::io_context& io, const std::string& bind, std::uint16_t port, Routes routes);

  void start();
  void stop();
  std::uint16_t port() const;

 private:
  static asio::awaitable<void> accept_loop(HttpEndpoint* self);
  static asio::awaitable<void> serve(HttpEndpoint* self, asio::ip::tcp::socket socket);
  std::string respond(std::string_view request) const;

  asio::ip::tcp::acceptor acceptor_;
  Routes routes_;
  // Shared with each request's coroutine: one destroyed with its io_context after this
  // object still counts itself out.
  std::shared_ptr<int> open_connections_ = std::make_shared<int>(0);
};

}  // namespace sp::proxy

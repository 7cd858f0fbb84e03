#include "proxy/metrics/http_endpoint.h"

#include <array>
#include <chrono>
#include <stdexcept>
#include <string_view>

#include <asio/co_spawn.hpp>
#include <asio/ip/address.hpp>
#include <asio/write.hpp>

#include "common/asio_util.h"
#include "common/listening_socket.h"
#include "proxy/links/backend_connect.h"

namespace sp::proxy {
namespace {

constexpr std::size_t kMaxRequest = 8 * 1024;
constexpr auto kRequestDeadline = std::chrono::seconds(5);

std::string response(std::string_view status, std::string_view content_type,
                     const std::string& body, bool head) {
  std::string out = "HTTP/1.1 ";
  out += status;
  out += "\r\nContent-Type: ";
  out += content_type;
  out += "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n";
  if (!head) out += body;
  return out;
}

constexpr std::string_view kText = "text/plain; charset=utf-8";

}  // namespace

HttpEndpoint::HttpEndpoint(asio::io_context& io, const std::string& bind, std::uint16_t port,
                           Routes routes)
    : acceptor_(io), routes_(std::move(routes)) {
  const std::string address = bind + ":" + std::to_string(port);
  std::error_code ec;
  const auto ip = asio::ip::make_address(bind, ec);
  if (ec) throw std::runtime_error("cannot serve metrics on " + address + ": " + ec.message());
  const asio::ip::tcp::endpoint endpoint(ip, port);
  listen_on(acceptor_, endpoint, asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot serve metrics on " + address + ": " + ec.message());
}

void HttpEndpoint::start() {
  asio::co_spawn(acceptor_.get_executor(), accept_loop(this), LogStrayException{"metrics port"});
}

void HttpEndpoint::stop() {
  std::error_code ec;
  acceptor_.close(ec);
}

std::uint16_t HttpEndpoint::port() const {
  std::error_code ec;
  return acceptor_.local_endpoint(ec).port();
}

asio::awaitable<void> HttpEndpoint::accept_loop(HttpEndpoint* self) {
  while (self->acceptor_.is_open()) {
    auto [ec, socket] = co_await self->acceptor_.async_accept(use_nothrow);
    if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) co_return;
    if (ec) continue;  // a client gone before it was accepted, or out of descriptors
    if (*self->open_connections_ >= kMaxConnections) continue;  // the socket closes here
    asio::co_spawn(self->acceptor_.get_executor(), serve(self, std::move(socket)),
                   LogStrayException{"metrics request"});
  }
}

asio::awaitable<void> HttpEndpoint::serve(HttpEndpoint* self, asio::ip::tcp::socket accepted) {
  Stream stream(std::move(accepted));
  ++*self->open_connections_;
  struct Count {
    std::shared_ptr<int> open;
    ~Count() { --*open; }
  } count{self->open_connections_};
  std::string request;
  std::array<char, 2048> room{};
  const auto deadline = std::chrono::steady_clock::now() + kRequestDeadline;
  while (request.find("\r\n\r\n") == std::string::npos) {
    if (request.size() > kMaxRequest) co_return;
    auto [ec, n] = co_await read_some_until(stream, room, deadline);
    if (ec || n == 0) co_return;
    request.append(room.data(), n);
  }
  const std::string reply = self->respond(request);
  co_await stream.write_all(asio::buffer(reply));
  std::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
}

std::string HttpEndpoint::respond(std::string_view request) const {
  const std::string_view line = request.substr(0, request.find("\r\n"));
  const std::size_t method_end = line.find(' ');
  const std::size_t target_end = line.find(' ', method_end + 1);
  if (method_end == std::string_view::npos || target_end == std::string_view::npos) {
    return response("400 Bad Request", kText, "bad request\n", false);
  }
  const std::string_view method = line.substr(0, method_end);
  std::string_view path = line.substr(method_end + 1, target_end - method_end - 1);
  path = path.substr(0, path.find('?'));
  const bool head = method == "HEAD";
  if (method != "GET" && !head) {
    return response("405 Method Not Allowed", kText, "only GET and HEAD\n", false);
  }
  if (path == "/metrics") {
    return response("200 OK", "text/plain; version=0.0.4; charset=utf-8", routes_.metrics(), head);
  }
  if (path == "/healthz") return response("200 OK", kText, "ok\n", head);
  if (path == "/readyz") {
    const std::string why = routes_.not_ready();
    if (why.empty()) return response("200 OK", kText, "ready\n", head);
    return response("503 Service Unavailable", kText, "not ready: " + why + "\n", head);
  }
  return response("404 Not Found", kText, "not found (try /metrics, /healthz, /readyz)\n", head);
}

}  // namespace sp::proxy

#include "proxy/server/listener.h"

#include <system_error>

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "common/asio_util.h"
#include "common/listening_socket.h"
#include "proxy/server/worker.h"
#include "proxy/session/session.h"

namespace sp::proxy {
namespace {

void start_session(Worker& worker, asio::ip::tcp::socket socket, bool tls) {
  std::make_shared<Session>(worker, std::move(socket), tls)->start();
}

constexpr std::string_view kMaxClientsReply = "-ERR max number of clients reached\r\n";

// redis-server 7.0's reply in protected mode, to the letter.
constexpr std::string_view kProtectedModeReply =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from "
    "the loopback interface. If you want to connect from external computers to Redis you may "
    "adopt one of the following solutions: 1) Just disable protected mode sending the command "
    "'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from "
    "the same host the server is running, however MAKE SURE Redis is not publicly accessible "
    "from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
    "Alternatively you can just disable the protected mode by editing the Redis configuration "
    "file, and setting the protected mode option to 'no', and then restarting the server. 3) "
    "If you started the server manually just for testing, restart it with the "
    "'--protected-mode no' option. 4) Setup a an authentication password for the default "
    "user. NOTE: You only need to do one of the above things in order for the server to start "
    "accepting connections from the outside.\r\n";

// As Redis: with protected mode on and no password demanded (here: by the master), only
// clients on the loopback interface are served. A master never reached counts as one
// that demands none.
bool refused_by_protected_mode(const ProxyContext& context, const Config& settings,
                               const asio::ip::tcp::socket& socket) {
  if (!settings.protected_mode) return false;
  if (context.master_auth.load() == MasterAuth::kRequired) return false;
  std::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return false;  // gone already: the session sees it at once
  auto address = peer.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return !address.is_loopback();
}

}  // namespace

Listener::Listener(std::vector<Worker*> workers, const std::vector<std::string>& addresses,
                   std::uint16_t port, int backlog, bool tls)
    : workers_(std::move(workers)), tls_(tls) {
  for (const auto& text : addresses) {
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address(text), port);
    auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(workers_.front()->io());
    std::error_code ec;
    listen_on(*acceptor, endpoint, backlog, ec);
    if (ec) throw std::system_error(ec, "cannot listen on " + text + ":" + std::to_string(port));
    acceptors_.push_back(std::move(acceptor));
  }
}

void Listener::start() {
  for (auto& acceptor : acceptors_) {
    asio::co_spawn(workers_.front()->io(), accept_loop(this, acceptor.get()),
                   LogStrayException{"accept loop"});
  }
}

void Listener::stop() {
  asio::post(workers_.front()->io(), [this] {
    std::error_code ec;
    for (auto& acceptor : acceptors_) acceptor->close(ec);
  });
}

void Listener::reject(asio::ip::tcp::socket& socket, std::string_view reply) {
  // Redis's words and behaviour: one error line, then the connection is closed (on the
  // TLS port, before any handshake, only closed: the line would not be TLS).
  std::error_code ec;
  if (!tls_) {
    socket.non_blocking(true, ec);
    socket.write_some(asio::buffer(reply), ec);
  }
  socket.close(ec);
}

asio::awaitable<void> Listener::accept_loop(Listener* self, asio::ip::tcp::acceptor* acceptor) {
  Worker& home = *self->workers_.front();
  auto& context = home.context();
  for (;;) {
    Worker& target = *self->workers_[self->next_++ % self->workers_.size()];
    auto [ec, accepted] = co_await acceptor->async_accept(target.io(), use_nothrow);
    asio::ip::tcp::socket socket(std::move(accepted));
    // A connection accepted just before stop() closed the acceptor is served all the same
    // (an upgrade's hand-over drains it as any other): only a failed accept ends the loop.
    if (ec && (ec == asio::error::operation_aborted || !acceptor->is_open())) co_return;
    if (ec) {
      // Out of descriptors or similar: say so once, back off, keep serving the others.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer pause(home.io(), std::chrono::milliseconds(100));
      co_await pause.async_wait(use_nothrow);
      continue;
    }
    const Config& settings = home.settings();
    if (context.clients.fetch_add(1, std::memory_order_relaxed) >=
        static_cast<std::int64_t>(settings.maxclients)) {
      context.clients.fetch_sub(1, std::memory_order_relaxed);
      home.stats().connections_rejected.add();
      spdlog::warn("rejecting a client: maxclients ({}) reached", settings.maxclients);
      self->reject(socket, kMaxClientsReply);
      continue;
    }
    if (refused_by_protected_mode(context, settings, socket)) {
      context.clients.fetch_sub(1, std::memory_order_relaxed);
      home.stats().protected_mode_denied.add();
      spdlog::warn("refusing client {}: protected mode (the master demands no authentication)",
                   peer_name(socket));
      self->reject(socket, kProtectedModeReply);
      continue;
    }
    const bool tls = self->tls_;
    if (&target == &home) {
      start_session(target, std::move(socket), tls);
    } else {
      asio::post(target.io(),
                 [&target, tls, s = std::make_shared<asio::ip::tcp::socket>(std::move(socket))] {
                   start_session(target, std::move(*s), tls);
                 });
    }
  }
}

}  // namespace sp::proxy

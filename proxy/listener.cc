#include "proxy/listener.h"

#include <system_error>

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "common/asio_util.h"
#include "proxy/session.h"
#include "proxy/worker.h"

namespace sp::proxy {
namespace {

void start_session(Worker& worker, asio::ip::tcp::socket socket) {
  std::make_shared<Session>(worker, std::move(socket))->start();
}

}  // namespace

Listener::Listener(std::vector<Worker*> workers, const std::vector<std::string>& addresses,
                   std::uint16_t port, int backlog)
    : workers_(std::move(workers)) {
  for (const auto& text : addresses) {
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address(text), port);
    auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(workers_.front()->io());
    try {
      acceptor->open(endpoint.protocol());
      acceptor->set_option(asio::socket_base::reuse_address(true));
      acceptor->bind(endpoint);
      acceptor->listen(backlog);
    } catch (const std::system_error& e) {
      throw std::system_error(e.code(), "cannot listen on " + text + ":" + std::to_string(port));
    }
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

void Listener::reject(asio::ip::tcp::socket& socket) {
  // Redis's words and behaviour: one error line, then the connection is closed.
  static constexpr std::string_view kReply = "-ERR max number of clients reached\r\n";
  std::error_code ec;
  socket.non_blocking(true, ec);
  socket.write_some(asio::buffer(kReply), ec);
  socket.close(ec);
}

asio::awaitable<void> Listener::accept_loop(Listener* self, asio::ip::tcp::acceptor* acceptor) {
  Worker& home = *self->workers_.front();
  auto& context = home.context();
  for (;;) {
    Worker& target = *self->workers_[self->next_++ % self->workers_.size()];
    auto [ec, accepted] = co_await acceptor->async_accept(target.io(), use_nothrow);
    asio::ip::tcp::socket socket(std::move(accepted));
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
    if (ec) {
      // Out of descriptors or similar: say so once, back off, keep serving the others.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer pause(home.io(), std::chrono::milliseconds(100));
      co_await pause.async_wait(use_nothrow);
      continue;
    }
    if (context.clients.fetch_add(1, std::memory_order_relaxed) >=
        static_cast<std::int64_t>(context.config.maxclients)) {
      context.clients.fetch_sub(1, std::memory_order_relaxed);
      home.stats().connections_rejected.add();
      spdlog::warn("rejecting a client: maxclients ({}) reached", context.config.maxclients);
      self->reject(socket);
      continue;
    }
    if (&target == &home) {
      start_session(target, std::move(socket));
    } else {
      asio::post(
          target.io(),
          [&target, s = std::make_shared<asio::ip::tcp::socket>(std::move(socket))]() mutable {
            start_session(target, std::move(*s));
          });
    }
  }
}

}  // namespace sp::proxy

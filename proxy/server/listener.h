#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

namespace sp::proxy {

class Worker;

// The client port: acceptors (one per `bind` address) on the first worker's thread, each
// accepted socket created on the next worker in turn and its session started there.
// `maxclients` is enforced here with Redis's reply. With `tls` (the tls-port), each session
// begins with the TLS handshake, on its worker, with the process's TLS contexts
// (ProxyContext::tls); a client refused before the handshake is simply disconnected.
class Listener {
 public:
  // Binds every address now; throws std::system_error naming the address on failure.
  Listener(std::vector<Worker*> workers, const std::vector<std::string>& addresses,
           std::uint16_t port, int backlog, bool tls = false);

  void start();
  // From any thread: stop accepting.
  void stop();

 private:
  static asio::awaitable<void> accept_loop(Listener* self, asio::ip::tcp::acceptor* acceptor);
  void reject(asio::ip::tcp::socket& socket, std::string_view reply);

  std::vector<Worker*> workers_;
  bool tls_;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors_;
  std::size_t next_ = 0;
};

}  // namespace sp::proxy

#include "common/listening_socket.h"

#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <mutex>

namespace sp {
namespace {

// The sockets handed over at start, not claimed by a port yet.
struct Inherited {
  std::mutex mutex;
  std::vector<int> unclaimed;
};

Inherited& inherited() {
  static Inherited instance;
  return instance;
}

// The handed-over socket that listens on `endpoint`, taken from the list; -1 when none.
int claim(const asio::ip::tcp::endpoint& endpoint) {
  Inherited& all = inherited();
  const std::lock_guard lock(all.mutex);
  for (auto it = all.unclaimed.begin(); it != all.unclaimed.end(); ++it) {
    sockaddr_storage bound{};
    socklen_t size = sizeof bound;
    if (::getsockname(*it, reinterpret_cast<sockaddr*>(&bound), &size) != 0 || !listens(*it)) {
      continue;
    }
    asio::ip::tcp::endpoint there;
    if (size > there.capacity()) continue;
    std::memcpy(there.data(), &bound, size);
    there.resize(size);
    if (there != endpoint) continue;
    const int fd = *it;
    all.unclaimed.erase(it);
    return fd;
  }
  return -1;
}

}  // namespace

void listen_on(asio::ip::tcp::acceptor& acceptor, const asio::ip::tcp::endpoint& endpoint,
               int backlog, std::error_code& ec) {
  if (const int fd = claim(endpoint); fd >= 0) {
    acceptor.assign(endpoint.protocol(), fd, ec);
    return;
  }
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(backlog, ec);
}

bool listens(int fd) {
  int value = 0;
  socklen_t size = sizeof value;
  return ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &size) == 0 && value != 0;
}

void offer_inherited_listeners(const std::vector<int>& fds) {
  Inherited& all = inherited();
  const std::lock_guard lock(all.mutex);
  for (int fd : fds) {
    if (listens(fd)) all.unclaimed.push_back(fd);
  }
}

void close_unclaimed_inherited_listeners() {
  Inherited& all = inherited();
  const std::lock_guard lock(all.mutex);
  for (int fd : all.unclaimed) ::close(fd);
  all.unclaimed.clear();
}

std::vector<int> listening_descriptors() {
  std::vector<int> fds;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return fds;
  const int own = ::dirfd(dir);
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const int fd = std::atoi(entry->d_name);
    if (fd != own && listens(fd)) fds.push_back(fd);
  }
  ::closedir(dir);
  return fds;
}

}  // namespace sp

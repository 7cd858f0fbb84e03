#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>

namespace sp {

// mirrors anetKeepAlive: probes after `interval` of silence, then every interval/3, and
// the connection is dropped after three unanswered ones. 0 leaves keepalive off. Errors
// are ignored, as Redis ignores them (the connection works without it).
inline void set_tcp_keepalive(int fd, std::chrono::seconds interval) {
  if (interval.count() <= 0) return;
  const int on = 1;
  const int idle = static_cast<int>(interval.count());
  const int between = std::max(idle / 3, 1);
  const int probes = 3;
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &between, sizeof between);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
}

}  // namespace sp

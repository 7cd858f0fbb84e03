#pragma once

#include <string>

namespace sp::sentinel {

// An instance address in its announced form. Port 0 marks an invalid address
// that is never connected (as in Sentinel).
struct Address {
  std::string ip;
  int port = 0;

  bool operator==(const Address&) const = default;
  auto operator<=>(const Address&) const = default;

  // "ip:port", or "[ip]:port" for IPv6 — the key of a replica table.
  std::string to_string() const {
    if (ip.find(':') != std::string::npos) return "[" + ip + "]:" + std::to_string(port);
    return ip + ":" + std::to_string(port);
  }
};

}  // namespace sp::sentinel

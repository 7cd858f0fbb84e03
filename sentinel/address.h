#pragma once

#include <compare>
#include <string>
#include <tuple>

namespace sp::sentinel {

// An instance address, as Sentinel's sentinelAddr: the host as it was given (in the
// config, a hello, an INFO line or a command: a hostname or an IP literal) and the IP
// it resolved to. Port 0 marks an invalid address that is never connected.
struct Address {
  std::string ip;  // the resolved IP literal; "" while a hostname is unresolved
  int port = 0;
  std::string hostname = {};  // the host as given; "" = the same as `ip`

  const std::string& host() const { return hostname.empty() ? ip : hostname; }
  // What a connection dials: the IP, or the host while it is unresolved.
  const std::string& dial_host() const { return ip.empty() ? host() : ip; }

  // Identity of an instance (link keys, replica table keys): the host as given and the
  // port. The resolved IP is not part of it, since re-resolving may change it.
  // Sentinel's looser "same IP or same hostname" test is same_address().
  bool operator==(const Address& other) const {
    return port == other.port && host() == other.host();
  }
  std::strong_ordering operator<=>(const Address& other) const {
    if (auto c = host() <=> other.host(); c != 0) return c;
    return port <=> other.port;
  }

  // "host:port", or "[host]:port" for IPv6 — the key of a replica table.
  std::string to_string() const {
    const std::string& h = host();
    if (h.find(':') != std::string::npos) return "[" + h + "]:" + std::to_string(port);
    return h + ":" + std::to_string(port);
  }
};

}  // namespace sp::sentinel

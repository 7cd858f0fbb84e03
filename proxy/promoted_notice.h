#pragma once

// The "+promoted-slave" notice as run_proxy_with_sentinel reads it, standard library
// only, so that the simulation (tests/sim, built without Asio) reads it the same way.

#include <optional>
#include <string_view>

namespace sp::proxy {

// The port of the replica a "+promoted-slave" notice names, if the notice is about
// `group`: "slave <ip>:<port> <ip> <port> @ <group> <master-ip> <master-port>". The
// promoted address itself is taken from the engine (the notice may show a hostname).
inline std::optional<int> promoted_slave_port(std::string_view text, std::string_view group) {
  std::string_view words[6];
  std::size_t pos = 0;
  for (auto& word : words) {
    pos = text.find_first_not_of(' ', pos);
    if (pos == std::string_view::npos) return std::nullopt;
    const std::size_t end =
        text.find(' ', pos) == std::string_view::npos ? text.size() : text.find(' ', pos);
    word = text.substr(pos, end - pos);
    pos = end;
  }
  if (words[5] != group || words[3].empty()) return std::nullopt;
  int port = 0;
  for (char c : words[3]) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + (c - '0');
  }
  return port;
}

}  // namespace sp::proxy

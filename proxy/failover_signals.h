#pragma once

// How the proxy reads its in-process sentinel: which snapshot may replace the current
// one, and which engine notices make clients hold. Standard library only, so that the
// simulation (tests/sim, built without Asio) runs these very rules against the real
// engine; main.cc and the topology registry apply them in the binary.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sp::proxy {

// The epoch gate: a snapshot replaces the current one only if its config epoch is newer
// (a late announcement of an older configuration must never move clients back).
// `current_epoch` is empty when nothing has been published yet.
inline bool epoch_admits(std::optional<std::uint64_t> current_epoch, std::uint64_t epoch) {
  return !current_epoch || epoch > *current_epoch;
}

enum class HoldChange { kNone, kHold, kRelease };

inline const char* to_string(HoldChange change) {
  switch (change) {
    case HoldChange::kNone:
      return "none";
    case HoldChange::kHold:
      return "hold";
    case HoldChange::kRelease:
      return "release";
  }
  return "?";
}

// What a notice of the engine means for clients of `group` whose master is
// `master_ip`/`master_host`:`master_port`: +sdown, +odown and +try-failover about it
// hold their commands, -sdown releases them. A notice about any other instance (a late
// one about the master just replaced, say) changes nothing. The notice names the
// master by hostname or IP (announce-hostnames), so both are tried; the match is on the
// whole text, as the proxy has always done (so "+odown ... #quorum n/m" does not match:
// +sdown comes first anyway).
inline HoldChange hold_change(std::string_view type, std::string_view text, std::string_view group,
                              std::string_view master_ip, std::string_view master_host,
                              int master_port) {
  auto names = [&](std::string_view host) {
    const std::string expected = "master " + std::string(group) + " " + std::string(host) + " " +
                                 std::to_string(master_port);
    return text == expected;
  };
  if (!names(master_ip) && !names(master_host)) return HoldChange::kNone;
  if (type == "+sdown" || type == "+odown" || type == "+try-failover") return HoldChange::kHold;
  if (type == "-sdown") return HoldChange::kRelease;
  return HoldChange::kNone;
}

// The port of the replica a "+promoted-slave" notice names, if the notice is about
// `group`: "slave <ip>:<port> <ip> <port> @ <group> <master-ip> <master-port>". The
// promoted address itself is taken from the engine (the notice may show a hostname).
inline std::optional<int> promoted_slave_port(std::string_view text, std::string_view group) {
  std::string_view words[6];
  std::size_t pos = 0;
  for (auto& word : words) {
    pos = text.find_first_not_of(' ', pos);
    if (pos == std::string_view::npos) return std::nullopt;
    const std::size_t end = std::min(text.find(' ', pos), text.size());
    word = text.substr(pos, end - pos);
    pos = end;
  }
  if (words[5] != group) return std::nullopt;
  int port = 0;
  for (char c : words[3]) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + (c - '0');
  }
  return port;
}

}  // namespace sp::proxy

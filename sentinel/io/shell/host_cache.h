#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>

namespace sp::sentinel::io {

// Resolves a hostname as Redis's anetResolve does (getaddrinfo, any family, the first
// answer) and returns the IP literal, "" on failure. Blocks for at most `bound`: the
// lookup runs on a helper thread that is left to finish on its own after that.
std::string resolve_host_bounded(std::string_view host, std::chrono::milliseconds bound);

// The engine's view of DNS (its HostResolver): names resolved when a link connects are
// remembered, so that comparing a reported master_host or a hello's address with an
// instance costs no lookup. A name never seen is looked up at once, bounded, since the
// engine thread waits; a failure is remembered for a while so that a hello naming an
// unresolvable host does not stall every tick.
class HostCache {
 public:
  explicit HostCache(std::chrono::milliseconds bound = std::chrono::milliseconds(500))
      : bound_(bound) {}

  std::string lookup(std::string_view host);
  void remember(std::string_view host, std::string ip);

 private:
  struct Entry {
    std::string ip;  // "" = the last lookup failed
    std::chrono::steady_clock::time_point when;
  };
  static constexpr std::chrono::seconds kRetryFailedAfter{10};

  std::chrono::milliseconds bound_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace sp::sentinel::io

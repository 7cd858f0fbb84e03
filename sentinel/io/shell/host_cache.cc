#include "sentinel/io/shell/host_cache.h"

#include <netdb.h>
#include <sys/socket.h>

#include <future>
#include <memory>
#include <thread>

namespace sp::sentinel::io {
namespace {

// mirrors anetGenericResolve without ANET_IP_ONLY
std::string getaddrinfo_first_ip(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* info = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &info) != 0 || info == nullptr) return "";
  char ip[NI_MAXHOST];
  const int rc =
      getnameinfo(info->ai_addr, info->ai_addrlen, ip, sizeof ip, nullptr, 0, NI_NUMERICHOST);
  freeaddrinfo(info);
  return rc == 0 ? std::string(ip) : std::string();
}

}  // namespace

std::string resolve_host_bounded(std::string_view host, std::chrono::milliseconds bound) {
  auto task = std::make_shared<std::packaged_task<std::string()>>(
      [name = std::string(host)] { return getaddrinfo_first_ip(name); });
  std::future<std::string> result = task->get_future();
  std::thread([task] { (*task)(); }).detach();
  if (result.wait_for(bound) != std::future_status::ready) return "";
  return result.get();
}

std::string HostCache::lookup(std::string_view host) {
  const auto now = std::chrono::steady_clock::now();
  auto it = entries_.find(host);
  if (it != entries_.end() &&
      (!it->second.ip.empty() || now - it->second.when < kRetryFailedAfter)) {
    return it->second.ip;
  }
  std::string ip = resolve_host_bounded(host, bound_);
  entries_[std::string(host)] = Entry{ip, now};
  return ip;
}

void HostCache::remember(std::string_view host, std::string ip) {
  entries_[std::string(host)] = Entry{std::move(ip), std::chrono::steady_clock::now()};
}

}  // namespace sp::sentinel::io

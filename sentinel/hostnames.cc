#include "sentinel/hostnames.h"

#include <cctype>
#include <vector>

namespace sp::sentinel {
namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = text.find(separator, start);
    if (at == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, at - start));
    start = at + 1;
  }
}

bool is_ipv4(std::string_view host) {
  const auto parts = split(host, '.');
  if (parts.size() != 4) return false;
  for (std::string_view part : parts) {
    if (part.empty() || part.size() > 3) return false;
    int value = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255) return false;
  }
  return true;
}

bool is_hex_group(std::string_view group) {
  if (group.empty() || group.size() > 4) return false;
  for (char c : group) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Eight 16-bit groups, or fewer with one "::"; the last two may be a dotted quad.
bool is_ipv6(std::string_view host) {
  if (host.find(':') == std::string_view::npos) return false;
  const std::size_t gap = host.find("::");
  if (gap != std::string_view::npos && host.find("::", gap + 1) != std::string_view::npos) {
    return false;
  }
  int groups = 0;
  auto count = [&](std::string_view side, bool may_end_in_ipv4) {
    if (side.empty()) return true;
    const auto parts = split(side, ':');
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (may_end_in_ipv4 && i + 1 == parts.size() && is_ipv4(parts[i])) {
        groups += 2;
      } else if (is_hex_group(parts[i])) {
        ++groups;
      } else {
        return false;
      }
    }
    return true;
  };
  if (gap == std::string_view::npos) return count(host, true) && groups == 8;
  return count(host.substr(0, gap), false) && count(host.substr(gap + 2), true) && groups < 8;
}

// The IP `host` stands for: itself if a literal, else what the resolver says (only with
// resolve-hostnames); "" when unknown. Mirrors anetResolve with ANET_IP_ONLY or not.
std::string resolve_host(std::string_view host, const HostnamePolicy& policy,
                         const HostResolver& resolve) {
  if (host.empty()) return "";  // nothing reported yet
  if (is_ip_literal(host)) return std::string(host);
  if (!policy.resolve || !resolve) return "";
  std::string ip = resolve(host);
  return is_ip_literal(ip) ? ip : "";
}

}  // namespace

bool is_ip_literal(std::string_view host) {
  return is_ipv4(host) || is_ipv6(host);
}

bool is_hostname_syntax(std::string_view host) {
  if (host.ends_with('.')) host.remove_suffix(1);  // a fully qualified name's root
  if (host.empty() || host.size() > 253) return false;
  bool all_digits = true;  // of the last label
  for (std::string_view label : split(host, '.')) {
    if (label.empty() || label.size() > 63) return false;
    all_digits = true;
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
      all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c));
    }
  }
  // A top-level domain is never numeric (RFC 3696): "300.0.0.1" is a bad IP, not a name.
  return !all_digits;
}

std::optional<Address> make_address(std::string_view host, int port, bool accept_unresolved,
                                    const HostnamePolicy& policy, const HostResolver& resolve) {
  if (port < 0 || port > 65535 || host.empty()) return std::nullopt;
  std::string ip = resolve_host(host, policy, resolve);
  // An unresolved hostname is kept only with resolve-hostnames, to be resolved later.
  if (ip.empty() && !(policy.resolve && accept_unresolved)) return std::nullopt;
  return Address{std::move(ip), port, std::string(host)};
}

bool same_address(const Address& a, const Address& b) {
  if (a.port != b.port) return false;
  return (!a.ip.empty() && a.ip == b.ip) || equal_ignoring_case(a.host(), b.host());
}

bool address_equals_host(const Address& a, std::string_view host, const HostnamePolicy& policy,
                         const HostResolver& resolve) {
  const std::string ip = resolve_host(host, policy, resolve);
  if (ip.empty()) {
    // Best effort while the name does not resolve: an instance has one name.
    return equal_ignoring_case(policy.resolve ? a.host() : a.ip, host);
  }
  return equal_ignoring_case(a.ip, ip);
}

const std::string& announced_host(const Address& a, const HostnamePolicy& policy) {
  return policy.announce ? a.host() : a.ip;
}

}  // namespace sp::sentinel

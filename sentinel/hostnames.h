#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sentinel/address.h"

namespace sp::sentinel {

// resolve-hostnames / announce-hostnames (both off by default, as in Sentinel).
struct HostnamePolicy {
  bool resolve = false;   // accept hostnames where an address is expected
  bool announce = false;  // show the hostname instead of the IP wherever one is shown
  bool operator==(const HostnamePolicy&) const = default;
};

// Turns a hostname into an IP literal, "" when it cannot (yet). The shell provides it
// (from a cache it fills asynchronously): the engine itself does no DNS.
using HostResolver = std::function<std::string(std::string_view hostname)>;

// True for an IPv4 dotted quad or an IPv6 literal (what getaddrinfo accepts with
// AI_NUMERICHOST, minus the legacy IPv4 shorthands such as "127.1").
bool is_ip_literal(std::string_view host);

// True for what may be a DNS name: 1..253 bytes of letters, digits, '-', '_' and '.',
// in labels of at most 63, the last not all digits. Whether it resolves is another matter.
bool is_hostname_syntax(std::string_view host);

// mirrors createSentinelAddr: an IP literal is taken as is; a hostname only with
// policy.resolve, resolved through `resolve`; an unresolvable one is kept with an empty
// IP when `accept_unresolved` (to be re-resolved on reconnect), refused otherwise.
// nullopt also for a port outside 0..65535.
std::optional<Address> make_address(std::string_view host, int port, bool accept_unresolved,
                                    const HostnamePolicy& policy, const HostResolver& resolve);

// mirrors sentinelAddrOrHostnameEqual: same port, and the same resolved IP or the same
// hostname (case-insensitive).
bool same_address(const Address& a, const Address& b);

// mirrors sentinelAddrEqualsHostname: `host` (a master_host reported by INFO, a hello's
// master address) is resolved first and compared by IP; when it cannot be resolved the
// names are compared, case-insensitively.
bool address_equals_host(const Address& a, std::string_view host, const HostnamePolicy& policy,
                         const HostResolver& resolve);

// mirrors announceSentinelAddr: what hellos, events, replies, the config and SLAVEOF show.
const std::string& announced_host(const Address& a, const HostnamePolicy& policy);

}  // namespace sp::sentinel

#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sp::proxy {

// The names clients use for the proxy's own commands: `rename-command PROXY <name>` and
// `rename-command PROXY|<SUBCOMMAND> <name>`, as Redis's rename-command (an empty name
// disables the command; its old name is then unknown).
class ProxyCommandNames {
 public:
  // "" on success, else why the directive is refused.
  std::string rename(std::string_view command, std::string_view new_name);

  // `name` is what a client calls PROXY (never true once PROXY is disabled).
  bool is_proxy(std::string_view name) const;
  // The subcommand (lower case: info, topology, failover, help) a client's name stands
  // for; "" when it names none, or one renamed away or disabled.
  std::string canonical_subcommand(std::string_view name) const;

 private:
  std::string command_ = "proxy";
  struct Renamed {
    std::string canonical;
    std::string name;  // "": disabled
  };
  std::vector<Renamed> renamed_;
};

// What the proxy's commands ask of a client, as Redis's model has it: what reveals the
// deployment needs an authenticated client where the master demands authentication;
// what changes it (PROXY FAILOVER, PROXY CONFIG) needs a client the master would let run
// FAILOVER, an admin command as CONFIG is.
enum class ProxyAccess { kAuthenticated, kAuthorized };
ProxyAccess access_needed(std::span<const std::string_view> canonical_args);

// Redis's replies when a client may not.
inline constexpr std::string_view kNoAuthReply = "-NOAUTH Authentication required.\r\n";
std::string no_permission_reply(std::string_view subcommand);

// How the master's answer to FAILOVER TIMEOUT x (a probe that changes nothing: the ACL
// check comes before the argument check) tells whether this client may run FAILOVER.
inline constexpr std::string_view kFailoverProbe =
    "*3\r\n$8\r\nFAILOVER\r\n$7\r\nTIMEOUT\r\n$1\r\nx\r\n";
// What a probe for plain authentication sends: any command answers -NOAUTH first.
inline constexpr std::string_view kAuthProbe = "*1\r\n$4\r\nPING\r\n";
enum class ProbeVerdict { kAllowed, kNotAuthenticated, kNotPermitted };
ProbeVerdict judge_probe_reply(std::string_view reply, ProxyAccess access);

}  // namespace sp::proxy

#include "proxy/admin/proxy_access.h"

#include <algorithm>

#include "protocol/command_table.h"

namespace sp::proxy {
namespace {

using protocol::iequals;

constexpr std::string_view kSubcommands[] = {"info", "topology", "failover", "config", "help"};

}  // namespace

std::string ProxyCommandNames::rename(std::string_view command, std::string_view new_name) {
  const std::string lower = protocol::to_lower(command);
  if (lower == "proxy") {
    command_ = protocol::to_lower(new_name);
    return {};
  }
  if (!lower.starts_with("proxy|")) {
    return "rename-command applies to the proxy's own commands here (PROXY, "
           "PROXY|<subcommand>); rename Redis's commands in the Redis server's config";
  }
  const std::string sub = lower.substr(6);
  if (std::find(std::begin(kSubcommands), std::end(kSubcommands), sub) == std::end(kSubcommands)) {
    return "no such PROXY subcommand '" + std::string(command.substr(6)) + "'";
  }
  const std::string name = protocol::to_lower(new_name);
  for (const Renamed& r : renamed_) {
    if (r.canonical != sub && !name.empty() && r.name == name) {
      return "the name '" + name + "' is already taken by PROXY " + r.canonical;
    }
  }
  std::erase_if(renamed_, [&](const Renamed& r) { return r.canonical == sub; });
  renamed_.push_back({sub, name});
  return {};
}

bool ProxyCommandNames::is_proxy(std::string_view name) const {
  return !command_.empty() && iequals(name, command_);
}

std::string ProxyCommandNames::canonical_subcommand(std::string_view name) const {
  for (const Renamed& r : renamed_) {
    if (!r.name.empty() && iequals(name, r.name)) return r.canonical;
  }
  for (std::string_view sub : kSubcommands) {
    if (!iequals(name, sub)) continue;
    const bool renamed = std::any_of(renamed_.begin(), renamed_.end(),
                                     [&](const Renamed& r) { return r.canonical == sub; });
    return renamed ? std::string() : std::string(sub);
  }
  return {};
}

ProxyAccess access_needed(std::span<const std::string_view> canonical_args) {
  const bool failover = canonical_args.size() >= 2 && canonical_args[1] == "failover";
  const bool history = canonical_args.size() == 3 && iequals(canonical_args[2], "history");
  // CONFIG is an admin command in Redis, GET included (it shows how the proxy is set up).
  const bool config = canonical_args.size() >= 2 && canonical_args[1] == "config";
  return (failover && !history) || config ? ProxyAccess::kAuthorized : ProxyAccess::kAuthenticated;
}

std::string no_permission_reply(std::string_view subcommand) {
  return "-NOPERM this user has no permissions to run the 'proxy|" + std::string(subcommand) +
         "' command\r\n";
}

ProbeVerdict judge_probe_reply(std::string_view reply, ProxyAccess access) {
  if (reply.starts_with("-NOAUTH")) return ProbeVerdict::kNotAuthenticated;
  if (access == ProxyAccess::kAuthorized &&
      (reply.starts_with("-NOPERM") || reply.starts_with("-ERR unknown command"))) {
    return ProbeVerdict::kNotPermitted;  // FAILOVER denied to this user, or renamed away
  }
  return ProbeVerdict::kAllowed;
}

}  // namespace sp::proxy

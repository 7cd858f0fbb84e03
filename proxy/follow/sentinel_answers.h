#pragma once

// What the proxy reads from the Redis Sentinels it follows (follow mode): replies to
// SENTINEL get-master-addr-by-name and SENTINEL master, and the events of its
// subscription. Pure functions of decoded values, tested without any server.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/value.h"
#include "sentinel/notice.h"

namespace sp::proxy {

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

// "host:port", "ip:port" or "[v6]:port"; nullopt when the port is not 1..65535.
std::optional<HostPort> split_host_port(std::string_view address);

// SENTINEL get-master-addr-by-name's reply: [ip, port]. nullopt for a nil reply (the
// sentinel does not know the name), an error or anything malformed.
std::optional<HostPort> master_addr_of(const protocol::Value& reply);

// A field of SENTINEL master's flat field/value array (a map in RESP3), as text.
std::optional<std::string> field_of(const protocol::Value& fields, std::string_view name);
std::optional<std::uint64_t> uint_field_of(const protocol::Value& fields, std::string_view name);

// SENTINEL master's `flags` say the group finds the master objectively down or is failing
// it over ("master,o_down", "master,failover_in_progress", ...): what +odown and
// +try-failover announced, for a follower that was not listening then.
bool master_going_away(const protocol::Value& fields);

// ROLE's reply says "master".
bool role_is_master(const protocol::Value& reply);

// One event from the subscription: the channel is Sentinel's event name (+switch-master,
// +odown, ...), the text its message. nullopt for subscribe confirmations and the like.
struct SentinelEvent {
  std::string type;
  std::string text;
};
std::optional<SentinelEvent> event_of(const protocol::Value& message);

// An event about a master, read from its text "master <name> <host> <port> ..." (more
// words may follow, as " #quorum 2/2" after +odown): its kind, group and subject only.
// nullopt for any other event, and for events this engine does not know.
std::optional<sentinel::Notice> master_notice_of(const SentinelEvent& event);

// +switch-master's text: "<name> <old-ip> <old-port> <new-ip> <new-port>".
struct SwitchMaster {
  std::string name;
  HostPort from;
  HostPort to;
};
std::optional<SwitchMaster> switch_master_of(std::string_view text);

}  // namespace sp::proxy

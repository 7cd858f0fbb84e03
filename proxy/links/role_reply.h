#pragma once

#include <string_view>

namespace sp::proxy {

// ROLE's reply from a master, in RESP2 (a connection checks it before any HELLO 3).
inline bool says_master(std::string_view role_reply) {
  return role_reply.starts_with("*3\r\n$6\r\nmaster\r\n");
}

// A ROLE reply that proves the server is not a master: a reply, not an error. An error
// (-NOAUTH before AUTH, ROLE renamed away) proves nothing, and the connection is used as
// a session's own would be (session_failover.cc, replay_state).
inline bool denies_master(std::string_view role_reply) {
  return !role_reply.starts_with("-") && !says_master(role_reply);
}

}  // namespace sp::proxy

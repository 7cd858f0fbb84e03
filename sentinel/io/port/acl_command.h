#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "sentinel/io/port/acl.h"
#include "sentinel/io/port/acl_log.h"
#include "sentinel/io/port/port_client.h"

namespace sp::sentinel::io {

// What ACL commands act on: the users, the log, the port (to close the connections of a
// deleted user) and the config file (a change is persisted before the reply, as the
// rest of the sentinel's state is).
struct AclContext {
  AclUsers& users;
  AclLog& log;
  PortClients* port = nullptr;
  std::function<void()> persist;
};

// ACL WHOAMI | USERS | LIST | GETUSER | SETUSER | DELUSER | CAT | GENPASS | DRYRUN | LOG |
// LOAD | SAVE | HELP, with Redis 7.0's replies and error texts.
void acl_command(PortClient& client, std::span<const std::string_view> args, AclContext& acl,
                 std::string& out);

}  // namespace sp::sentinel::io

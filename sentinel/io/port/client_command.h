#pragma once

#include <span>
#include <string>
#include <string_view>

#include "sentinel/io/port/port_client.h"

namespace sp::sentinel::io {

// Redis: a client name may not contain spaces, newlines or characters outside '!'..'~'.
bool valid_client_name(std::string_view name);

// One client as CLIENT LIST / CLIENT INFO describe it, in Redis 7.0's field order
// (without the trailing newline).
std::string client_info_line(const PortClient& client);

// CLIENT ID | GETNAME | SETNAME | INFO | LIST [TYPE t] [ID id ...] | KILL ... | NO-EVICT |
// HELP on the sentinel port. Appends the reply to `out`.
void client_command(PortClient& client, std::span<const std::string_view> args, PortClients& port,
                    std::string& out);

}  // namespace sp::sentinel::io

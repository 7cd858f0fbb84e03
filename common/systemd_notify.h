#pragma once

#include <string_view>

namespace sp {

// `supervised` as Redis reads it: systemd, auto (systemd when it started the process, i.e.
// NOTIFY_SOCKET is set) or no. Redis's upstart is not supported.
enum class Supervised { kNo, kSystemd, kAuto };

// True when state changes are to be told to systemd under `mode`.
bool supervised_by_systemd(Supervised mode);

// Sends `state` ("READY=1", "STATUS=...", "STOPPING=1", newline-separated) to the socket
// systemd named in NOTIFY_SOCKET, as sd_notify does (an '@' prefix names an abstract
// socket). False when there is none or the send failed; a service never stops for it.
bool notify_systemd(std::string_view state);

}  // namespace sp

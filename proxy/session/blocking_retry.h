#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/session/pending_replies.h"

namespace sp::proxy {

// A command blocked on keys (BLPOP, BLMOVE, BZMPOP, XREAD BLOCK, ...) that its master
// ended with -UNBLOCKED when it was turned into a replica: nothing was popped or read,
// so it can be sent again to the new master. WAIT is not one: its meaning is tied to the
// writes of the connection it ran on.
bool is_key_blocking_command(std::string_view name);
// The same for one complete request's bytes.
bool is_key_blocking_request(std::string_view request);

// `request` (one complete request, multibulk or inline) re-encoded with the time it has
// left: its timeout less `waited`, at least 1 ms so that it never turns into 0, which
// means "forever". nullopt when it needs no change (not a blocking command, a timeout of
// 0, or one the command would refuse anyway: Redis gives that error again).
std::optional<std::string> with_remaining_timeout(std::string_view request,
                                                  std::chrono::milliseconds waited);

// Every blocking command of `batch` gets the timeout it has left at `now`.
void retime_blocking_commands(RetryBatch& batch, Clock::time_point now);

}  // namespace sp::proxy

#pragma once

#include <optional>

#include "sentinel/notice.h"
#include "sentinel/served_view.h"

namespace sp::proxy {

// Follow mode's hold rule, from the notices a followed sentinel publishes. That sentinel
// stands elsewhere: its subjective +sdown says nothing of whether the proxy reaches the
// master, so only the group's agreement holds clients (+odown, +try-failover), and -odown
// or -sdown releases them. Only a notice about the master `view` serves counts (by its
// hostname or its IP): a late one about the master just replaced must not make clients of
// its successor wait. Returns the hold the notice asks for, or nothing.
std::optional<bool> followed_hold(const sentinel::Notice& notice, const sentinel::ServedView& view);

}  // namespace sp::proxy

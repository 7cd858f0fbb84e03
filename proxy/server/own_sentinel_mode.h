#pragma once

#include <string>

#include "proxy/config/config.h"
#include "sentinel/io/config/sentinel_config.h"

namespace sp::proxy {

// The in-process sentinel of proxy mode, from the `sentinel ...` lines of the proxy's own
// file `file` (which it rewrites with its state, as Sentinel does), serving `proxy-group`
// or the only monitored group. Throws SentinelConfigError on bad input.
sentinel::io::SentinelFileConfig own_sentinel_config(const Config& config, const std::string& file);

// Proxy mode with the sentinel inside: the engine runs on its own thread, and each view
// of the served group it hands on goes through the ServedViewBridge to the sessions.
// Returns the exit code; throws on start-up errors, as Server does.
int run_proxy_with_sentinel(Config config, const std::string& file);

}  // namespace sp::proxy

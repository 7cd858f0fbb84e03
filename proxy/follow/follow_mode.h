#pragma once

#include "proxy/config/config.h"

namespace sp::proxy {

// Follow mode (`sentinel-follow <name> <host:port> ...`): the proxy is a client of existing
// Redis Sentinels. It starts on the master they name (confirmed with ROLE; start-up fails
// with each sentinel's reason when none is found in time), then follows their switches on
// a thread of its own while the workers serve. Returns the exit code; throws on start-up
// errors, as Server does.
int run_proxy_following(Config config);

}  // namespace sp::proxy

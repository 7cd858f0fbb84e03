#pragma once

#include <cstdint>

namespace sp::proxy {

// Mirrors Redis's adjustOpenFilesLimit: raises the soft RLIMIT_NOFILE so that `maxclients`
// clients fit (each takes `files_per_client` descriptors: two with a master connection per
// client, the client's and its master connection's; one in pooled mode, where only a
// client whose command pins gets a second, and fails like an unreachable master when none
// is left; plus a reserve for listeners, shared links, the sentinel's links and logs), as far as
// the hard limit allows; when it cannot, returns a lower maxclients that fits and logs a warning,
// so that a client beyond it gets "-ERR max number of clients reached" instead of a connection the
// kernel accepted and nobody serves.
std::uint32_t fit_maxclients_to_open_files(std::uint32_t maxclients, unsigned files_per_client);

}  // namespace sp::proxy

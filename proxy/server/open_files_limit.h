#pragma once

#include <cstdint>

namespace sp::proxy {

// Mirrors Redis's adjustOpenFilesLimit: raises the soft RLIMIT_NOFILE so that `maxclients`
// clients fit (each takes two descriptors here: the client's and its master connection's,
// plus a reserve for listeners, the sentinel's links and logs), as far as the hard limit
// allows; when it cannot, returns a lower maxclients that fits and logs a warning, so that
// a client beyond it gets "-ERR max number of clients reached" instead of a connection the
// kernel accepted and nobody serves.
std::uint32_t fit_maxclients_to_open_files(std::uint32_t maxclients);

}  // namespace sp::proxy

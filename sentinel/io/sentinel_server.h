#pragma once

#include <string>

#include "sentinel/io/sentinel_config.h"

namespace sp::sentinel::io {

// Runs a sentinel as redis-sentinel does with the same file: the engine and its shell,
// the sentinel port, every notice logged and published on its own channel, and the
// state rewritten into `config_path` before a vote or an epoch change is answered.
// Returns the exit code: 0 after SIGTERM/SIGINT.
int run_sentinel(SentinelFileConfig config, const std::string& config_path,
                 const std::string& version);

}  // namespace sp::sentinel::io

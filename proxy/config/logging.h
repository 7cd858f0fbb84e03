#pragma once

#include "proxy/config/config.h"

namespace sp::proxy {

// Sets spdlog's default logger from `loglevel` and `logfile` (standard output when empty).
// Throws spdlog::spdlog_ex if the log file cannot be opened.
void setup_logging(const Config& config);

}  // namespace sp::proxy

#pragma once

#include "proxy/config/config.h"

namespace sp::proxy {

// Sets spdlog's default logger from `loglevel` and `logfile` (standard output when empty).
// Throws spdlog::spdlog_ex if the log file cannot be opened.
void setup_logging(const Config& config);

// SIGHUP: opens the log file again by its name (after logrotate renamed it), and says so in
// the log. Call from one thread at a time.
void reopen_log_file();

}  // namespace sp::proxy

#pragma once

#include "proxy/config/config.h"

namespace sp::proxy {

// Sets spdlog's default logger from `loglevel` and `logfile` (standard output when empty),
// writing Redis's log line: "<pid>:<role> 07 Dec 2026 02:41:44.448 # <message>", the mark
// after the time being Redis's level (. debug, - verbose, * notice, # warning). `role` is
// Redis's role letter: X (sentinel) in drop-in mode, P (proxy) otherwise.
// Throws spdlog::spdlog_ex if the log file cannot be opened.
void setup_logging(const Config& config, char role);

// loglevel changed at run time (PROXY CONFIG SET, SIGHUP); from any thread.
void set_log_level(LogLevel level);

// SIGHUP: opens the log file again by its name (after logrotate renamed it), and says so in
// the log. Call from one thread at a time.
void reopen_log_file();

}  // namespace sp::proxy

#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace asio {
class io_context;
}

namespace sp::proxy {

// An upgrade without refusing a connection (README.md, "Running in production"): on
// SIGUSR2 the running process starts the binary found where it was started from (the new
// version, once installed there), with the same arguments and working directory, and hands
// it every listening socket and nothing else. Connections keep queueing on those sockets
// throughout, and the new process accepts them as soon as it listens; it then tells the
// old one, which stops accepting and drains its clients.

// At the very start of main, before any thread or `daemonize`: remembers how this process
// was started (arguments, the binary's path, the working directory), and takes what the
// process it replaces handed over, if it did. The hand-over is believed only from the
// parent process that made it (SP_UPGRADE_PID), and only sockets that listen and a pipe
// are taken; the variables are removed from the environment either way.
void take_upgrade_environment(int argc, char** argv);

// This process was started by an upgrade and has not told the old one yet.
bool is_replacement();

// In the process being replaced: starts the replacement with this process's listening
// sockets. `done` is called on `io` with "" once it listens on all of them, or with why it
// failed (it could not start, exited, or did not listen within `deadline`: it is then
// killed): this process goes on serving.
void start_replacement(asio::io_context& io, std::chrono::seconds deadline,
                       std::function<void(std::string error)> done);

// At shutdown: a replacement started and not ready yet is killed and reaped.
void abandon_replacement();

// In the replacement, once every port listens and systemd was told: closes the handed-over
// sockets no port took, and tells the process it replaces. True when it was told, or when
// this process was not started by an upgrade; false when it no longer listens (it gave up
// waiting and runs on).
bool tell_replaced_process_ready();

// Writes this process's pid into `path` (nothing when empty), as Redis's createPidFile.
void write_pidfile(const std::string& path);

}  // namespace sp::proxy

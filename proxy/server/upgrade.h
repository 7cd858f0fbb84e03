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
// it every listening socket. Connections keep queueing on those sockets throughout, and
// the new process accepts them as soon as it listens; the old one then stops accepting
// and drains its clients, as on SIGTERM.

// How this process was started (its arguments, the binary's path, the working directory),
// saved at the start of main, before `dir` or `daemonize` change anything.
void remember_how_started(int argc, char** argv);

// In the process being replaced: starts the replacement with this process's listening
// sockets. `done` is called on `io` with "" once it listens on all of them, or with why it
// failed (it could not start, exited, or did not listen within `deadline`): this process
// then goes on serving.
void start_replacement(asio::io_context& io, std::chrono::seconds deadline,
                       std::function<void(std::string error)> done);

// In the replacement: closes the handed-over sockets no port took, and tells the process
// it replaces that every port listens. Nothing when this process was not started by an
// upgrade. Returns whether it was.
bool tell_replaced_process_ready();

}  // namespace sp::proxy

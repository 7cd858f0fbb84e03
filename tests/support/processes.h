#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/redis_process.h"

namespace sp::testing {

using namespace std::chrono_literals;

// A child process started from argv, stdout and stderr into `log`, killed by pid (SIGKILL,
// then reaped) when this object goes away, whatever happened in the test.
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, const std::string& log);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  // SIGKILL and reap now (idempotent).
  void kill();
  // True while the child has not exited.
  bool running();

 private:
  pid_t pid_ = -1;
};

// A redis-server on a chosen port (so that a killed one can come back where it was),
// in `dir`; waits until it answers PING.
std::unique_ptr<ChildProcess> start_redis_on(int port, const std::string& dir,
                                             std::vector<std::string> extra = {});

std::string make_temp_dir();

// A temp dir removed with everything in it when this goes away, whatever happened.
struct TempDir {
  std::string path = make_temp_dir();
  TempDir() = default;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
};

// A temp dir of this test process (made at the first call), removed at exit: files
// named in it cannot collide with another run's, and none are left behind.
const std::string& process_temp_dir();

// A command as clients send it (a RESP array of bulk strings).
std::string resp(const std::vector<std::string>& args);

// Reads whole reply frames from a TestConnection, keeping what follows them for the next
// call.
class FrameReader {
 public:
  explicit FrameReader(TestConnection& conn) : conn_(conn) {}

  // The bytes of the next `count` frames, or nullopt if they did not all arrive before
  // `deadline` (what did arrive stays buffered).
  std::optional<std::string> frames(std::size_t count, std::chrono::milliseconds deadline = 10s);
  // Everything until the peer closes (buffered bytes first); nullopt if still open at the
  // deadline.
  std::optional<std::string> until_closed(std::chrono::milliseconds deadline = 10s);
  const std::string& buffered() const { return buffer_; }

 private:
  TestConnection& conn_;
  std::string buffer_;
};

// Resident memory of a process, from /proc, in bytes (-1 when unknown).
long resident_bytes(pid_t pid);

// Sends `SET k <50 MB>` to `port` on a fresh connection, the bytes from a thread of their
// own (a server that stops reading at the length line blocks them until it closes the
// connection, which ends them), and returns what came back until the close.
std::string send_large_bulk(int port);

// One command on a fresh connection: the reply's bytes, or "" on failure.
std::string call(int port, const std::vector<std::string>& args,
                 std::chrono::milliseconds deadline = 5s);

// The value of `field` in an INFO reply (`field:value` lines), "" if absent.
std::string info_field(const std::string& info_reply, const std::string& field);

// The whole file ("" when it cannot be read), and its lines.
std::string read_file(const std::string& path);
std::vector<std::string> lines_of(const std::string& path);
// Writes an executable /bin/sh script with `body` at `path`; returns `path`.
std::string write_script(const std::string& path, const std::string& body);

// Polls `condition` every 10 ms until it holds or `deadline` passes.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds deadline);

// Runs a shell command, capturing its standard output (and error, with 2>&1 in `command`);
// returns the exit status (-1 if it did not exit normally).
int run_command(const std::string& command, std::string& output);

}  // namespace sp::testing

#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace sp::sentinel::io {

// One entry of SENTINEL PENDING-SCRIPTS.
struct PendingScript {
  std::vector<std::string> argv;  // the script path first
  bool running = false;
  pid_t pid = 0;                        // 0 unless running
  std::chrono::milliseconds millis{0};  // run-time when running, else run-delay
  int retry_num = 0;                    // how many times it was started
};

// What SENTINEL PENDING-SCRIPTS and INFO read of the user scripts' queue, without the
// runner's timers. ScriptRunner is the one implementation.
class ScriptQueue {
 public:
  virtual ~ScriptQueue() = default;
  // INFO's sentinel_running_scripts and sentinel_scripts_queue_length.
  virtual std::size_t running() const = 0;
  virtual std::size_t queued() const = 0;
  virtual std::vector<PendingScript> pending() const = 0;
};

}  // namespace sp::sentinel::io

#pragma once

#include "sentinel/clock.h"
#include "sentinel/engine.h"

namespace sp::sentinel::io {

// What the sentinel port's commands may do with the engine, without the shell's sockets:
// read and change it, then run the actions a change produced (a vote is persisted before
// its reply goes out), or persist its state now. EngineShell is the one implementation;
// it keeps Asio out of the command surface.
class EngineAccess {
 public:
  virtual ~EngineAccess() = default;
  virtual Engine& engine() = 0;
  // Runs the engine's pending actions now; then the served view is handed on if it changed.
  virtual void run_actions() = 0;
  // Persists the engine's state now (SENTINEL FLUSHCONFIG, CONFIG SET, ACL changes).
  virtual void persist_now() = 0;
};

// The engine's clock: wall-clock milliseconds, as Sentinel's mstime(), so that a clock jump
// is seen (and answered with TILT) as Sentinel would.
TimePoint wall_clock_now();

}  // namespace sp::sentinel::io

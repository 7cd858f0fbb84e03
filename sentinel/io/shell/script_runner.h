#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>

#include "sentinel/actions.h"
#include "sentinel/io/shell/script_queue.h"

namespace sp::sentinel::io {

// SENTINEL DEBUG's SCRIPT-MAX-RUNTIME and SCRIPT-RETRY-DELAY.
struct ScriptLimits {
  std::chrono::milliseconds max_runtime{60000};
  std::chrono::milliseconds retry_delay{30000};
};

// Sentinel's queue of user scripts (notification and client-reconfig scripts), on the
// engine's executor. Mirrors the "script execution" part of sentinel.c: at most
// kMaxQueue jobs (the oldest one not running is dropped when full), at most kMaxRunning
// children at once; a child that exits 1 or dies by a signal is started again after
// retry_delay, doubled at each retry, until it was started kMaxRuns times; exit ≥ 2 is
// final; a child running longer than max_runtime is SIGKILLed (`-script-timeout`).
// Failures are reported as `-script-error <path> <signal> <exit-code>`. Children are
// reaped by a timer every `poll_period` (waitpid WNOHANG), as Sentinel's cron does, so
// the executor never blocks on them.
class ScriptRunner : public ScriptQueue {
 public:
  static constexpr std::size_t kMaxQueue = 256;
  static constexpr std::size_t kMaxRunning = 16;
  static constexpr int kMaxRuns = 10;

  // `limits` is read at every poll (SENTINEL DEBUG may change them); `on_event`
  // receives -script-error and -script-timeout.
  ScriptRunner(asio::any_io_executor executor, std::function<ScriptLimits()> limits,
               std::function<void(const Notice&)> on_event,
               std::chrono::milliseconds poll_period = std::chrono::milliseconds(100));
  // Children still running are left to finish, as Sentinel leaves them at exit.
  ~ScriptRunner();
  ScriptRunner(const ScriptRunner&) = delete;
  ScriptRunner& operator=(const ScriptRunner&) = delete;

  // Queues `argv` (path first) to run at the next poll. mirrors
  // sentinelScheduleScriptExecution
  void schedule(std::vector<std::string> argv);

  // INFO's sentinel_running_scripts and sentinel_scripts_queue_length.
  std::size_t running() const override { return running_; }
  std::size_t queued() const override { return jobs_.size(); }
  std::vector<PendingScript> pending() const override;

  // Stops polling; queued jobs are not started any more.
  void stop();

 private:
  using Clock = std::chrono::steady_clock;
  struct Job {
    std::vector<std::string> argv;
    bool running = false;
    pid_t pid = 0;
    Clock::time_point start_time{};  // last start, or the earliest retry; {} = never
    int retry_num = 0;
  };

  void arm_timer();
  void poll();
  void run_pending(Clock::time_point now, std::vector<Notice>& events);
  void collect_terminated(Clock::time_point now, std::vector<Notice>& events);
  void kill_timed_out(Clock::time_point now, std::vector<Notice>& events);

  asio::steady_timer timer_;
  std::function<ScriptLimits()> limits_;
  std::function<void(const Notice&)> on_event_;
  std::chrono::milliseconds poll_period_;
  ScriptLimits current_;
  std::list<Job> jobs_;
  std::size_t running_ = 0;
  bool armed_ = false;
  bool stopped_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // the timer's handler checks it
};

}  // namespace sp::sentinel::io

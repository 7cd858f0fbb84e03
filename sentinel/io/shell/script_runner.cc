#include "sentinel/io/shell/script_runner.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include <spdlog/spdlog.h>

extern char** environ;

namespace sp::sentinel::io {
namespace {

// Redis reports a failed fork as signal 99, exit code 0.
constexpr int kForkFailedSignal = 99;
// Redis's child exits 2 (no retry) when execve fails.
constexpr int kExecFailedExitCode = 2;

// Starts argv[0] with argv and our environment. Only the standard descriptors are
// inherited: a script that outlives us must not hold our listening sockets. Returns the
// pid, or -errno.
pid_t spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_init(&attr);
  // A script gets default signal handling, whatever this process blocks or ignores.
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  const int error = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  return error == 0 ? pid : -error;
}

// mirrors sentinelScriptRetryDelay: the delay doubles at each further retry.
std::chrono::milliseconds retry_delay(std::chrono::milliseconds first, int retry_num) {
  std::chrono::milliseconds delay = first;
  while (retry_num-- > 1) delay *= 2;
  return delay;
}

}  // namespace

ScriptRunner::ScriptRunner(asio::any_io_executor executor, std::function<ScriptLimits()> limits,
                           std::function<void(const Notice&)> on_event,
                           std::chrono::milliseconds poll_period)
    : timer_(std::move(executor)),
      limits_(std::move(limits)),
      on_event_(std::move(on_event)),
      poll_period_(poll_period) {}

ScriptRunner::~ScriptRunner() {
  stop();
  // Reap whatever already ended; the others are left running.
  for (const Job& job : jobs_) {
    if (job.running) ::waitpid(job.pid, nullptr, WNOHANG);
  }
}

void ScriptRunner::stop() {
  stopped_ = true;
  timer_.cancel();
}

void ScriptRunner::schedule(std::vector<std::string> argv) {
  if (argv.empty()) return;
  jobs_.push_back(Job{std::move(argv)});
  if (jobs_.size() > kMaxQueue) {
    // The oldest job that is not running goes; running ones are reaped as usual.
    for (auto it = jobs_.begin(); it != jobs_.end(); ++it) {
      if (it->running) continue;
      spdlog::warn("script queue full: dropping {} {}", it->argv.front(),
                   it->argv.size() > 1 ? it->argv[1] : "");
      jobs_.erase(it);
      break;
    }
  }
  arm_timer();
}

std::vector<PendingScript> ScriptRunner::pending() const {
  const auto now = Clock::now();
  std::vector<PendingScript> out;
  for (const Job& job : jobs_) {
    PendingScript p;
    p.argv = job.argv;
    p.running = job.running;
    p.pid = job.pid;
    p.retry_num = job.retry_num;
    if (job.running) {
      p.millis = std::chrono::duration_cast<std::chrono::milliseconds>(now - job.start_time);
    } else {
      const auto delay =
          job.start_time == Clock::time_point{} ? Clock::duration::zero() : job.start_time - now;
      p.millis = std::max(std::chrono::milliseconds(0),
                          std::chrono::duration_cast<std::chrono::milliseconds>(delay));
    }
    out.push_back(std::move(p));
  }
  return out;
}

// Polls while there is something queued; an empty queue leaves the timer idle.
void ScriptRunner::arm_timer() {
  if (armed_ || stopped_ || jobs_.empty()) return;
  armed_ = true;
  timer_.expires_after(poll_period_);
  timer_.async_wait([this, alive = std::weak_ptr<int>(alive_)](const std::error_code& ec) {
    if (alive.expired()) return;
    armed_ = false;
    if (ec || stopped_) return;
    poll();
    arm_timer();
  });
}

// One pass of Sentinel's cron over the scripts, in its order.
void ScriptRunner::poll() {
  if (limits_) current_ = limits_();
  const auto now = Clock::now();
  std::vector<Notice> events;
  run_pending(now, events);
  collect_terminated(now, events);
  kill_timed_out(now, events);
  // Reported after the queue is consistent: a handler may schedule more.
  for (const Notice& event : events) {
    spdlog::warn("{} {}", to_string(event.kind), to_text(event));
    if (on_event_) on_event_(event);
  }
}

// mirrors sentinelRunPendingScripts: oldest first, retries only once their time came.
void ScriptRunner::run_pending(Clock::time_point now, std::vector<Notice>& events) {
  for (auto it = jobs_.begin(); it != jobs_.end() && running_ < kMaxRunning;) {
    Job& job = *it;
    if (job.running || (job.start_time != Clock::time_point{} && job.start_time > now)) {
      ++it;
      continue;
    }
    job.start_time = now;
    ++job.retry_num;
    const pid_t pid = spawn(job.argv);
    if (pid > 0) {
      job.running = true;
      job.pid = pid;
      ++running_;
      spdlog::debug("+script-child {}", pid);
      ++it;
    } else if (-pid == EAGAIN || -pid == ENOMEM) {
      // No process could be made: tried again at the next poll, as Sentinel does.
      events.push_back(script_error_notice(job.argv.front(), kForkFailedSignal, 0));
      ++it;
    } else {
      // The program could not be executed: Sentinel's child would exit 2, not retried.
      events.push_back(script_error_notice(job.argv.front(), 0, kExecFailedExitCode));
      it = jobs_.erase(it);
    }
  }
}

// mirrors sentinelCollectTerminatedScripts: exit 1 or a signal means "retry later".
void ScriptRunner::collect_terminated(Clock::time_point now, std::vector<Notice>& events) {
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    Job& job = *it;
    int status = 0;
    if (!job.running || ::waitpid(job.pid, &status, WNOHANG) != job.pid) {
      ++it;
      continue;
    }
    const int exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    const int by_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    spdlog::debug("-script-child {} {} {}", job.pid, exit_code, by_signal);
    --running_;
    if ((by_signal != 0 || exit_code == 1) && job.retry_num != kMaxRuns) {
      job.running = false;
      job.pid = 0;
      job.start_time = now + retry_delay(current_.retry_delay, job.retry_num);
      ++it;
      continue;
    }
    if (by_signal != 0 || exit_code != 0) {
      events.push_back(script_error_notice(job.argv.front(), by_signal, exit_code));
    }
    it = jobs_.erase(it);
  }
}

// mirrors sentinelKillTimedoutScripts: the killed child is reaped (and retried, as it
// died by a signal) at a later poll.
void ScriptRunner::kill_timed_out(Clock::time_point now, std::vector<Notice>& events) {
  for (const Job& job : jobs_) {
    if (!job.running || now - job.start_time <= current_.max_runtime) continue;
    Notice n{.kind = NoticeKind::kScriptTimeout};
    n.script = job.argv.front();
    n.pid = job.pid;
    events.push_back(std::move(n));
    ::kill(job.pid, SIGKILL);
  }
}

}  // namespace sp::sentinel::io

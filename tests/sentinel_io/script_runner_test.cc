// ScriptRunner with real child processes: small /bin/sh scripts in a temp dir that
// append to a file, and shortened limits.
#include "sentinel/io/shell/script_runner.h"

#include <sys/stat.h>

#include <gtest/gtest.h>
#include <asio/io_context.hpp>
#include <fstream>
#include <sstream>

#include "tests/support/processes.h"

namespace sp::sentinel::io {
namespace {

using namespace std::chrono_literals;
using testing::lines_of;
using testing::TempDir;
using testing::write_script;

struct RunnerFixture : ::testing::Test {
  TempDir dir;
  asio::io_context io;
  ScriptLimits limits{10s, 5ms};
  std::vector<Notice> events;
  ScriptRunner runner{io.get_executor(), [this] { return limits; },
                      [this](const Notice& n) { events.push_back(n); }, 5ms};

  std::string path(const std::string& name) const { return dir.path + "/" + name; }

  // Runs the executor until `done` holds or `deadline` passes.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds deadline = 10s) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
      if (std::chrono::steady_clock::now() > end) return false;
      io.restart();
      io.run_for(5ms);
    }
    return true;
  }
};

TEST_F(RunnerFixture, RunsAScriptWithItsArguments) {
  const std::string script = write_script(path("notify.sh"), "echo \"$@\" >> " + path("out"));
  runner.schedule({script, "+set", "master mymaster 127.0.0.1 6379 quorum 1"});
  EXPECT_EQ(runner.queued(), 1u);
  ASSERT_TRUE(run_until([&] { return runner.queued() == 0; }));
  EXPECT_EQ(lines_of(path("out")),
            std::vector<std::string>{"+set master mymaster 127.0.0.1 6379 quorum 1"});
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(runner.running(), 0u);
}

TEST_F(RunnerFixture, ExitOneIsRetriedUntilTenRunsThenReported) {
  const std::string script =
      write_script(path("fail.sh"), "echo run >> " + path("out") + "\nexit 1");
  runner.schedule({script, "x"});
  // Delays 5, 10, 20, ... 1280 ms between the ten runs.
  ASSERT_TRUE(run_until([&] { return runner.queued() == 0; }, 20s));
  EXPECT_EQ(lines_of(path("out")).size(), static_cast<std::size_t>(ScriptRunner::kMaxRuns));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], script_error_notice(script, 0, 1));
}

TEST_F(RunnerFixture, ARetryWaitsItsDelayAndShowsAsScheduled) {
  limits.retry_delay = 60s;
  const std::string script = write_script(path("fail.sh"), "exit 1");
  runner.schedule({script, "+sdown", "master mymaster 127.0.0.1 6379"});
  ASSERT_TRUE(run_until([&] {
    const auto pending = runner.pending();
    return pending.size() == 1 && !pending[0].running && pending[0].retry_num == 1;
  }));
  const PendingScript job = runner.pending().at(0);
  EXPECT_EQ(job.argv,
            (std::vector<std::string>{script, "+sdown", "master mymaster 127.0.0.1 6379"}));
  EXPECT_EQ(job.pid, 0);
  EXPECT_GT(job.millis, 59s);
  EXPECT_LE(job.millis, 60s);
  EXPECT_EQ(runner.running(), 0u);
  EXPECT_TRUE(events.empty());
}

TEST_F(RunnerFixture, ExitTwoIsNotRetried) {
  const std::string script =
      write_script(path("fail.sh"), "echo run >> " + path("out") + "\nexit 2");
  runner.schedule({script});
  ASSERT_TRUE(run_until([&] { return runner.queued() == 0; }));
  EXPECT_EQ(lines_of(path("out")).size(), 1u);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], script_error_notice(script, 0, 2));
}

TEST_F(RunnerFixture, AProgramThatCannotBeExecutedFailsAsExitTwo) {
  const std::string missing = path("missing.sh");
  runner.schedule({missing, "+sdown", "x"});
  ASSERT_TRUE(run_until([&] { return runner.queued() == 0; }));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], script_error_notice(missing, 0, 2));
}

TEST_F(RunnerFixture, AScriptOverItsRuntimeIsKilledAndRetried) {
  limits.max_runtime = 200ms;
  // The first run hangs; the retry (after SIGKILL, a signal) succeeds.
  const std::string script = write_script(
      path("hang.sh"), "echo run >> " + path("out") + "\nif [ -f " + path("ran") +
                           " ]; then exit 0; fi\ntouch " + path("ran") + "\nexec sleep 30");
  runner.schedule({script});
  ASSERT_TRUE(run_until([&] { return runner.running() == 1; }));
  const pid_t pid = runner.pending().at(0).pid;
  ASSERT_TRUE(run_until([&] { return runner.queued() == 0; }));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(to_string(events[0].kind), "-script-timeout");
  EXPECT_EQ(to_text(events[0]), script + " " + std::to_string(pid));
  for (const Notice& e : events) EXPECT_EQ(e.kind, NoticeKind::kScriptTimeout);
  EXPECT_EQ(lines_of(path("out")).size(), 2u);
}

TEST_F(RunnerFixture, AFullQueueDropsItsOldestJobThatIsNotRunning) {
  // Sixteen jobs run (and wait for a file); the queue then fills with jobs waiting to run.
  const std::string script =
      write_script(path("wait.sh"), "while [ ! -f " + path("go") + " ]; do sleep 0.02; done");
  for (int i = 0; i < 16; ++i) runner.schedule({script, "running-" + std::to_string(i)});
  ASSERT_TRUE(run_until([&] { return runner.running() == ScriptRunner::kMaxRunning; }));
  for (int i = 0; i < 300; ++i) runner.schedule({script, "queued-" + std::to_string(i)});
  EXPECT_EQ(runner.queued(), ScriptRunner::kMaxQueue);
  const std::vector<PendingScript> pending = runner.pending();
  for (int i = 0; i < 16; ++i) {
    EXPECT_TRUE(pending[i].running);
    EXPECT_EQ(pending[i].argv[1], "running-" + std::to_string(i));
  }
  // 316 jobs for 256 places: queued-0 .. queued-59 were dropped.
  EXPECT_FALSE(pending[16].running);
  EXPECT_EQ(pending[16].argv[1], "queued-60");
  EXPECT_EQ(pending.back().argv[1], "queued-299");
  EXPECT_LE(runner.running(), ScriptRunner::kMaxRunning);
  std::ofstream(path("go")) << "";
  ASSERT_TRUE(run_until(
      [&] {
        EXPECT_LE(runner.running(), ScriptRunner::kMaxRunning);
        return runner.queued() == 0;
      },
      60s));
  EXPECT_TRUE(events.empty());
}

}  // namespace
}  // namespace sp::sentinel::io

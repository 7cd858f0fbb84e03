// Drop-in mode reads a sentinel.conf as redis-sentinel does: every directive of Redis's
// own redis.conf (its active lines, and its commented examples `# name value` taken as
// lines) is put in a sentinel.conf of its own, and redis-sentinel and sentinel-proxy
// --sentinel, started side by side on it, must agree on loading or refusing it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "tests/sentinel_io/sentinel_group.h"
#include "tests/support/redis_process.h"

namespace sp::testing {
namespace {

constexpr const char* kRedisConf = "/etc/redis/redis.conf";

// Every line of redis.conf that may be a directive, uncommented, without duplicates.
// Prose comments come along too (redis-sentinel refuses them, so must we).
std::vector<std::string> sample_lines() {
  std::ifstream in(kRedisConf);
  const std::regex candidate("^(# ?)?([a-z][a-z0-9_-]*( [^ ].*)?)$");
  std::set<std::string> seen;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, candidate)) continue;
    std::string directive = m[2];
    // Long prose is not a directive; the longest example (a `user` line) has 7 words.
    if (std::count(directive.begin(), directive.end(), ' ') > 8) continue;
    if (seen.insert(directive).second) lines.push_back(directive);
  }
  // Bad values and arities redis.conf has no example of, and sentinel lines.
  for (const char* line : {"repl-diskless-sync-delay x",
                           "enable-debug-command maybe",
                           "maxmemory 1zz",
                           "hz 05",
                           "port 70000",
                           "daemonize",
                           "daemonize yes yes",
                           "save 900",
                           "save \"900 1\"",
                           "client-output-buffer-limit master 0 0 0",
                           "client-output-buffer-limit pubsub 1 2",
                           "oom-score-adj-values 1 2",
                           "oom-score-adj-values 0 3000 100",
                           "notify-keyspace-events Q",
                           "latency-tracking-info-percentiles 101",
                           "replicaof 10.0.0.1 x",
                           "slaveof no one",
                           "maxmemory-clients 200%",
                           "maxmemory-clients 5%",
                           "unixsocketperm 0800",
                           "shutdown-on-sigterm nosave force",
                           "shutdown-on-sigterm",
                           "socket-mark-id -1",
                           "list-max-ziplist-value 1 2",
                           "rename-command PING INFO",
                           "rename-command PING ping",
                           "rename-command NOSUCH x",
                           "dir /nonexistent",
                           "logfile /nonexistent/x.log",
                           "include /nonexistent/*.conf",
                           "x.y 1",
                           "sentinel",
                           "sentinel foo",
                           "sentinel monitor m2 127.0.0.1 70000 2",
                           "sentinel monitor mymaster 127.0.0.1 1 2",
                           "sentinel down-after-milliseconds nosuch 100",
                           "sentinel myid abc",
                           "sentinel parallel-syncs mymaster 0",
                           "sentinel down-after-milliseconds mymaster 0",
                           "sentinel rename-command mymaster a b",
                           "sentinel resolve-hostnames maybe",
                           "sentinel known-sentinel mymaster 127.0.0.1 1"}) {
    lines.push_back(line);
  }
  return lines;
}

// Keeps the machine as it was: a daemonized child would outlive the test, and files meant
// for /var/log/redis or /run/redis go into the test's directory instead.
std::string made_harmless(std::string line, const std::string& dir) {
  if (line == "daemonize yes") return "daemonize no";
  for (const char* system_dir : {"/var/log/redis/", "/run/redis/"}) {
    const auto at = line.find(system_dir);
    if (at != std::string::npos) line.replace(at, std::string(system_dir).size(), dir + "/");
  }
  return line;
}

std::string last_line(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  std::string line = text.substr(text.rfind('\n') + 1);
  // A log line ("pid:X date time # text") counts for its text.
  const auto mark = line.find(" # ");
  return mark == std::string::npos ? line : line.substr(mark + 3);
}

enum class Outcome { kLoaded, kRefused };

const char* to_string(Outcome o) {
  return o == Outcome::kLoaded ? "loaded" : "refused";
}

// Starts `argv` on `conf` and waits until it answers on `port` (loaded), or exits; a
// process that exits says in its log whether the file was refused (`refusal` marks).
Outcome outcome_of(std::vector<std::string> argv, const std::string& log, int port,
                   const std::vector<std::string>& refusal) {
  ChildProcess child(std::move(argv), log);
  bool answered = false;
  wait_until(
      [&] {
        if (!child.running()) return true;
        answered = !call(port, {"PING"}, 100ms).empty();
        return answered;
      },
      5s);
  child.kill();
  if (answered) return Outcome::kLoaded;
  const std::string text = read_file(log);
  for (const std::string& mark : refusal) {
    if (text.find(mark) != std::string::npos) return Outcome::kRefused;
  }
  return Outcome::kLoaded;  // exited for another reason than its file (a socket, ...)
}

TEST(SentinelDirectivesCompat, EveryRedisConfDirectiveLoadsOrIsRefusedAsByRedisSentinel) {
  const std::vector<std::string> lines = sample_lines();
  ASSERT_GT(lines.size(), 150u) << "too few directives read from " << kRedisConf;
  TempDir dir;
  const int master_port = free_loopback_port();  // nothing listens there
  int loaded = 0, refused = 0;
  std::vector<std::string> disagreements;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string line = made_harmless(lines[i], dir.path);
    auto run = [&](bool real, Outcome& out) {
      const std::string base = dir.path + "/" + std::to_string(i) + (real ? "-real" : "-ours");
      const int port = free_loopback_port();
      std::ofstream(base + ".conf")
          << "port " << port << "\n"
          << "sentinel monitor mymaster 127.0.0.1 " << master_port << " 2\n"
          << line << "\n";
      out = real ? outcome_of({"redis-sentinel", base + ".conf"}, base + ".log", port,
                              {"FATAL CONFIG FILE ERROR", "can't open config file"})
                 : outcome_of({SP_SENTINEL_PROXY_BINARY, "--sentinel", base + ".conf"},
                              base + ".log", port, {"bad configuration"});
    };
    Outcome real{}, ours{};
    std::thread t([&] { run(true, real); });
    run(false, ours);
    t.join();
    (real == Outcome::kLoaded ? loaded : refused)++;
    if (real != ours) {
      disagreements.push_back("'" + line + "': redis-sentinel " + to_string(real) +
                              ", sentinel-proxy " + to_string(ours));
    } else if (real == Outcome::kRefused) {
      // The same reason, in the same words (Redis prints it last).
      const std::string base = dir.path + "/" + std::to_string(i);
      const std::string reason = last_line(read_file(base + "-real.log"));
      if (read_file(base + "-ours.log").find(reason) == std::string::npos) {
        disagreements.push_back("'" + line + "': refused, but not with '" + reason + "'");
      }
    }
  }
  std::printf(
      "%zu lines (%s and hand-written): %d loaded, %d refused by redis-sentinel; "
      "%zu disagreements\n",
      lines.size(), kRedisConf, loaded, refused, disagreements.size());
  for (const std::string& d : disagreements) ADD_FAILURE() << d;
}

}  // namespace
}  // namespace sp::testing

#pragma once

// What the upgrade tests (SIGUSR2) share: clients that would see a refused connection, and
// the clean-up of a process the test did not start itself.

#include <signal.h>
#include <sys/types.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/processes.h"
#include "tests/support/redis_process.h"

namespace sp::testing {

inline pid_t pid_in(const std::string& pidfile) {
  long pid = 0;
  std::ifstream(pidfile) >> pid;
  return static_cast<pid_t>(pid);
}

// The process an upgrade started is not the test's child: it is killed by the pid it
// wrote, if that pid is still a sentinel-proxy.
struct KillByPidfile {
  std::string pidfile;
  ~KillByPidfile() {
    const pid_t pid = pid_in(pidfile);
    if (pid <= 0) return;
    if (read_file("/proc/" + std::to_string(pid) + "/cmdline").find("sentinel-proxy") !=
        std::string::npos) {
      ::kill(pid, SIGKILL);
    }
  }
};

// Clients that each connect, send PING, read the reply and close, over and over: a
// connection refused while the sockets change hands would show here.
class ShortLivedClients {
 public:
  ShortLivedClients(int port, int threads) {
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this, port] {
        while (!stop_) {
          TestConnection conn(port);
          if (!conn.connected()) {
            ++refused_;
            continue;
          }
          conn.send(resp({"PING"}));
          if (conn.read_until_suffix("\r\n", std::chrono::seconds(5)) == "+PONG\r\n") {
            ++answered_;
          } else {
            ++failed_;
          }
        }
      });
    }
  }
  ~ShortLivedClients() { stop(); }
  ShortLivedClients(const ShortLivedClients&) = delete;
  ShortLivedClients& operator=(const ShortLivedClients&) = delete;
  void stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  int answered() const { return answered_; }
  int refused() const { return refused_; }
  int failed() const { return failed_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> answered_{0};
  std::atomic<int> refused_{0};
  std::atomic<int> failed_{0};
  std::vector<std::thread> threads_;
};

}  // namespace sp::testing

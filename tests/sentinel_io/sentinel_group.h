#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/value.h"

namespace sp::testing {

using namespace std::chrono_literals;

// A child process started from argv, its output in `log`, killed by pid (SIGKILL, then
// reaped) when this object goes away, whatever happened in the test.
class Child {
 public:
  Child(std::vector<std::string> argv, const std::string& log);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  // SIGKILL and reap now.
  void kill();

 private:
  pid_t pid_ = -1;
};

// One command on a fresh connection; nullopt when nothing complete came back in time.
std::optional<protocol::Value> call(int port, const std::vector<std::string>& args,
                                    std::chrono::milliseconds deadline = 2s);

// Polls `condition` every 20 ms until it holds or `deadline` passes.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds deadline);

// The value of `field` in a flat field/value array (SENTINEL MASTER and the like).
std::string field(const protocol::Value& fields, const std::string& name);

// A redis-server on a chosen port (so that an old master can come back where it was).
std::unique_ptr<Child> start_redis(int port, const std::string& dir,
                                   std::vector<std::string> extra = {});

// A sentinel-proxy in drop-in sentinel mode, its config file written into `dir`.
std::unique_ptr<Child> start_sentinel_proxy(const std::string& config_path, int port);

// A sentinel-proxy in proxy mode whose file also carries `sentinel ...` lines: a client
// port and a sentinel port.
std::unique_ptr<Child> start_proxy_with_sentinel(const std::string& config_path, int sentinel_port,
                                                 int client_port);

// A real redis-sentinel with the same kind of file.
std::unique_ptr<Child> start_redis_sentinel(const std::string& config_path, int port);

// Writes a sentinel.conf monitoring `mymaster` at 127.0.0.1:master_port, quorum 2.
void write_sentinel_conf(const std::string& path, int port, int master_port,
                         int down_after_ms = 1000, int failover_timeout_ms = 10000);

std::string make_temp_dir();

}  // namespace sp::testing

#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/processes.h"

namespace sp::testing {

// The path of the sentinel-proxy binary under test.
std::string proxy_binary();

// A `sentinel-proxy` in front of 127.0.0.1:<upstream_port>, on a free client port, metrics
// off, and `config_file` (if any) read before those. The constructor returns once the proxy accepts
// connections (or throws after `ready_within`); the destructor kills it by pid.
class ProxyProcess {
 public:
  explicit ProxyProcess(int upstream_port, std::vector<std::string> extra_args = {},
                        std::chrono::milliseconds ready_within = 10s,
                        const std::string& config_file = {});
  ~ProxyProcess();
  ProxyProcess(const ProxyProcess&) = delete;
  ProxyProcess& operator=(const ProxyProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return child_->pid(); }
  bool running() { return child_->running(); }
  // What the proxy logged so far (for failure messages).
  std::string log() const;

 private:
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> child_;
};

}  // namespace sp::testing

#include "tests/integration/proxy_harness.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace sp::testing {

using Clock = std::chrono::steady_clock;

std::string proxy_binary() {
  return SP_SENTINEL_PROXY_BINARY;
}

ProxyProcess::ProxyProcess(int upstream_port, std::vector<std::string> extra_args,
                           std::chrono::milliseconds ready_within, const std::string& config_file)
    : dir_(make_temp_dir()), port_(free_loopback_port()) {
  std::vector<std::string> argv = {SP_SENTINEL_PROXY_BINARY,
                                   "--port",
                                   std::to_string(port_),
                                   "--upstream",
                                   "127.0.0.1",
                                   std::to_string(upstream_port),
                                   "--metrics-port",
                                   "0",
                                   "--loglevel",
                                   "notice"};
  if (!config_file.empty()) argv.insert(argv.begin() + 1, config_file);
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  child_ = std::make_unique<ChildProcess>(argv, dir_ + "/proxy.log");
  const auto deadline = Clock::now() + ready_within;
  while (!TestConnection(port_).connected()) {
    if (Clock::now() > deadline || !child_->running()) {
      const std::string text = log();
      child_.reset();
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
      throw std::runtime_error("sentinel-proxy did not start on port " + std::to_string(port_) +
                               ": " + text);
    }
    std::this_thread::sleep_for(10ms);
  }
}

ProxyProcess::~ProxyProcess() {
  child_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string ProxyProcess::log() const {
  std::ifstream in(dir_ + "/proxy.log");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace sp::testing

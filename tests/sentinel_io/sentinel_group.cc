#include "tests/sentinel_io/sentinel_group.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <thread>

#include "protocol/reply_parser.h"
#include "protocol/writer.h"
#include "tests/support/redis_process.h"

namespace sp::testing {

std::optional<protocol::Value> call_value(int port, const std::vector<std::string>& args,
                                          std::chrono::milliseconds deadline) {
  const std::string reply = call(port, args, deadline);
  if (reply.empty()) return std::nullopt;
  return protocol::decode_value(reply);
}

std::string failover_when_possible(int port, const std::vector<std::string>& args,
                                   std::chrono::milliseconds deadline) {
  std::string reply;
  wait_until(
      [&] {
        reply = call(port, args);
        return !reply.starts_with("-NOGOODSLAVE");
      },
      deadline);
  return reply;
}

std::string field(const protocol::Value& fields, const std::string& name) {
  for (std::size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    if (fields.elements[i].text != name) continue;
    const protocol::Value& v = fields.elements[i + 1];
    return v.type == protocol::RespType::kInteger ? std::to_string(v.integer) : v.text;
  }
  return "";
}

std::unique_ptr<ChildProcess> start_sentinel_proxy(const std::string& config_path, int port) {
  auto child = std::make_unique<ChildProcess>(
      std::vector<std::string>{SP_SENTINEL_PROXY_BINARY, "--sentinel", config_path},
      config_path + ".log");
  if (!wait_until([&] { return !call(port, {"PING"}, 300ms).empty(); }, 10s)) {
    throw std::runtime_error("sentinel-proxy did not start on port " + std::to_string(port));
  }
  return child;
}

std::unique_ptr<ChildProcess> start_proxy_with_sentinel(const std::string& config_path,
                                                        int sentinel_port, int client_port) {
  std::vector<std::string> argv{SP_SENTINEL_PROXY_BINARY, config_path};
  // The same failover tests run through the pooled mode (tests/sentinel_io/CMakeLists.txt).
  if (const char* pool = std::getenv("SP_TEST_BACKEND_POOL_SIZE"); pool != nullptr) {
    argv.insert(argv.end(), {"--backend-pool-size", pool});
  }
  auto child = std::make_unique<ChildProcess>(argv, config_path + ".log");
  if (!wait_until(
          [&] {
            return !call(sentinel_port, {"PING"}, 300ms).empty() &&
                   !call(client_port, {"PROXY", "TOPOLOGY"}, 300ms).empty();
          },
          10s)) {
    throw std::runtime_error("sentinel-proxy did not start on ports " +
                             std::to_string(client_port) + " and " + std::to_string(sentinel_port));
  }
  return child;
}

std::unique_ptr<ChildProcess> start_redis_sentinel(const std::string& config_path, int port) {
  auto child = std::make_unique<ChildProcess>(
      std::vector<std::string>{"redis-sentinel", config_path}, config_path + ".log");
  if (!wait_until([&] { return !call(port, {"PING"}, 300ms).empty(); }, 10s)) {
    throw std::runtime_error("redis-sentinel did not start on port " + std::to_string(port));
  }
  return child;
}

void write_sentinel_conf(const std::string& path, int port, int master_port, int down_after_ms,
                         int failover_timeout_ms) {
  std::ofstream(path) << "port " << port << "\n"
                      << "sentinel monitor mymaster 127.0.0.1 " << master_port << " 2\n"
                      << "sentinel down-after-milliseconds mymaster " << down_after_ms << "\n"
                      << "sentinel failover-timeout mymaster " << failover_timeout_ms << "\n";
}

void expect_same_replies(int real_port, int ours_port, const std::vector<std::string>& inputs) {
  for (const std::string& input : inputs) {
    TestConnection a(real_port), b(ours_port);
    a.send(input);
    b.send(input);
    // Neither side closes after its replies, so each read lasts its whole deadline: short
    // when the two agree, and longer before calling them different (a busy machine may
    // not have let one of them answer yet).
    std::string expected = a.read_until_closed(300ms);
    std::string got = b.read_until_closed(300ms);
    if (got != expected) {
      expected += a.read_until_closed(3s);
      got += b.read_until_closed(3s);
    }
    EXPECT_EQ(got, expected) << "for input '" << input << "'";
  }
}

}  // namespace sp::testing

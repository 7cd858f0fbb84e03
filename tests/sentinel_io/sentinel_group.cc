#include "tests/sentinel_io/sentinel_group.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <stdexcept>
#include <thread>

#include "protocol/reply_parser.h"
#include "protocol/writer.h"
#include "tests/support/redis_process.h"

namespace sp::testing {

Child::Child(std::vector<std::string> argv, const std::string& log) {
  pid_ = ::fork();
  if (pid_ == 0) {
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  if (pid_ < 0) throw std::runtime_error("fork failed");
}

Child::~Child() {
  kill();
}

void Child::signal(int sig) const {
  if (pid_ > 0) ::kill(pid_, sig);
}

void Child::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::optional<protocol::Value> call(int port, const std::vector<std::string>& args,
                                    std::chrono::milliseconds deadline) {
  TestConnection conn(port);
  if (!conn.connected()) return std::nullopt;
  std::vector<std::string_view> views(args.begin(), args.end());
  std::string request;
  protocol::RespWriter(request).command(views);
  conn.send(request);
  const auto end = std::chrono::steady_clock::now() + deadline;
  std::string reply;
  protocol::ReplyParser parser;
  while (std::chrono::steady_clock::now() < end) {
    reply += conn.read_at_least(1, 200ms);
    const auto result = parser.parse(reply);
    if (result.status == protocol::ParseStatus::kComplete) {
      return protocol::decode_value(std::string_view(reply).substr(0, result.consumed));
    }
    if (result.status == protocol::ParseStatus::kError) return std::nullopt;
    parser = protocol::ReplyParser();
  }
  return std::nullopt;
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

std::string field(const protocol::Value& fields, const std::string& name) {
  for (std::size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    if (fields.elements[i].text != name) continue;
    const protocol::Value& v = fields.elements[i + 1];
    return v.type == protocol::RespType::kInteger ? std::to_string(v.integer) : v.text;
  }
  return "";
}

std::unique_ptr<Child> start_redis(int port, const std::string& dir,
                                   std::vector<std::string> extra) {
  std::vector<std::string> argv = {
      "redis-server", "--port", std::to_string(port), "--bind", "127.0.0.1", "--dir", dir,
      "--save",       "",       "--appendonly",       "no"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto child = std::make_unique<Child>(argv, dir + "/redis-" + std::to_string(port) + ".log");
  if (!wait_until([&] { return call(port, {"PING"}, 300ms).has_value(); }, 10s)) {
    throw std::runtime_error("redis-server did not start on port " + std::to_string(port));
  }
  return child;
}

std::unique_ptr<Child> start_sentinel_proxy(const std::string& config_path, int port) {
  auto child = std::make_unique<Child>(
      std::vector<std::string>{SP_SENTINEL_PROXY_BINARY, "--sentinel", config_path},
      config_path + ".log");
  if (!wait_until([&] { return call(port, {"PING"}, 300ms).has_value(); }, 10s)) {
    throw std::runtime_error("sentinel-proxy did not start on port " + std::to_string(port));
  }
  return child;
}

std::unique_ptr<Child> start_proxy_with_sentinel(const std::string& config_path, int sentinel_port,
                                                 int client_port) {
  auto child = std::make_unique<Child>(
      std::vector<std::string>{SP_SENTINEL_PROXY_BINARY, config_path}, config_path + ".log");
  if (!wait_until(
          [&] {
            return call(sentinel_port, {"PING"}, 300ms).has_value() &&
                   call(client_port, {"PROXY", "TOPOLOGY"}, 300ms).has_value();
          },
          10s)) {
    throw std::runtime_error("sentinel-proxy did not start on ports " +
                             std::to_string(client_port) + " and " + std::to_string(sentinel_port));
  }
  return child;
}

std::unique_ptr<Child> start_redis_sentinel(const std::string& config_path, int port) {
  auto child = std::make_unique<Child>(std::vector<std::string>{"redis-sentinel", config_path},
                                       config_path + ".log");
  if (!wait_until([&] { return call(port, {"PING"}, 300ms).has_value(); }, 10s)) {
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

std::string make_temp_dir() {
  char dir_template[] = "/tmp/sp-test-XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp failed");
  return dir_template;
}

}  // namespace sp::testing

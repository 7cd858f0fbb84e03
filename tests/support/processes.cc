#include "tests/support/processes.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include "protocol/writer.h"
#include "tests/protocol/reference_framer.h"

namespace sp::testing {

using Clock = std::chrono::steady_clock;

ChildProcess::ChildProcess(std::vector<std::string> argv, const std::string& log) {
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

ChildProcess::~ChildProcess() {
  kill();
}

void ChildProcess::signal(int sig) const {
  if (pid_ > 0) ::kill(pid_, sig);
}

void ChildProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

bool ChildProcess::running() {
  if (pid_ <= 0) return false;
  if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path, ignored);
}

std::string make_temp_dir() {
  char dir_template[] = "/tmp/sp-test-XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp failed");
  return dir_template;
}

const std::string& process_temp_dir() {
  static const TempDir dir;
  return dir.path;
}

std::unique_ptr<ChildProcess> start_redis_on(int port, const std::string& dir,
                                             std::vector<std::string> extra) {
  std::vector<std::string> argv = {
      "redis-server", "--port", std::to_string(port), "--bind", "127.0.0.1", "--dir", dir,
      "--save",       "",       "--appendonly",       "no"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto child =
      std::make_unique<ChildProcess>(argv, dir + "/redis-" + std::to_string(port) + ".log");
  if (!wait_until([&] { return call(port, {"PING"}, 300ms) == "+PONG\r\n"; }, 10s)) {
    throw std::runtime_error("redis-server did not start on port " + std::to_string(port));
  }
  return child;
}

long resident_bytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6)) * 1024;
  }
  return -1;
}

std::string send_large_bulk(int port) {
  TestConnection stranger(port);
  std::thread sender([&] {
    stranger.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$52428800\r\n");
    const std::string chunk(1024 * 1024, 'v');
    for (int i = 0; i < 50; ++i) stranger.send(chunk);
  });
  std::string refused = stranger.read_until_closed(std::chrono::seconds(10));
  sender.join();
  return refused;
}

std::string resp(const std::vector<std::string>& args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  std::string out;
  protocol::RespWriter(out).command(views);
  return out;
}

std::optional<std::string> FrameReader::frames(std::size_t count,
                                               std::chrono::milliseconds deadline) {
  const auto end = Clock::now() + deadline;
  std::size_t framed = 0;
  std::size_t done = 0;
  // The reference framer, not the proxy's own: tests judge the proxy's framing by it.
  using Status = protocol::testing::ReferenceFrame::Status;
  while (done < count) {
    const auto result =
        protocol::testing::reference_frame(std::string_view(buffer_).substr(framed));
    if (result.status == Status::kComplete) {
      framed += result.consumed;
      ++done;
      continue;
    }
    if (result.status == Status::kError) return std::nullopt;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
    if (left.count() <= 0 || conn_.peer_closed()) return std::nullopt;
    const std::string more = conn_.read_at_least(1, left);
    if (more.empty()) continue;  // the deadline or a close, seen on the next round
    buffer_ += more;
  }
  std::string out = buffer_.substr(0, framed);
  buffer_.erase(0, framed);
  return out;
}

std::optional<std::string> FrameReader::until_closed(std::chrono::milliseconds deadline) {
  buffer_ += conn_.read_until_closed(deadline);
  if (!conn_.peer_closed()) return std::nullopt;
  return std::exchange(buffer_, std::string());
}

std::string call(int port, const std::vector<std::string>& args,
                 std::chrono::milliseconds deadline) {
  TestConnection conn(port);
  if (!conn.connected()) return "";
  conn.send(resp(args));
  FrameReader reader(conn);
  return reader.frames(1, deadline).value_or("");
}

std::string read_file(const std::string& path) {
  std::ostringstream text;
  text << std::ifstream(path).rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string write_script(const std::string& path, const std::string& body) {
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  ::chmod(path.c_str(), 0755);
  return path;
}

std::string info_field(const std::string& info_reply, const std::string& field) {
  const std::string key = "\r\n" + field + ":";
  auto pos = info_reply.find(key);
  if (pos == std::string::npos) return "";
  pos += key.size();
  return info_reply.substr(pos, info_reply.find("\r\n", pos) - pos);
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds deadline) {
  const auto end = Clock::now() + deadline;
  while (!condition()) {
    if (Clock::now() > end) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

int run_command(const std::string& command, std::string& output) {
  output.clear();
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace sp::testing

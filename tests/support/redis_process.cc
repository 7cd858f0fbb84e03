#include "tests/support/redis_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <thread>

namespace sp::testing {
namespace {

using Clock = std::chrono::steady_clock;

int connect_loopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool answers_ping(int port) {
  TestConnection conn(port);
  if (!conn.connected()) return false;
  conn.send("PING\r\n");
  // A server with requirepass is up too when it answers -NOAUTH.
  const std::string reply = conn.read_until_suffix("\r\n", std::chrono::milliseconds(500));
  return reply == "+PONG\r\n" || reply.starts_with("-NOAUTH");
}

}  // namespace

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("cannot find a free loopback port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

RedisProcess::RedisProcess(std::vector<std::string> extra_args, const std::string& binary,
                           std::chrono::milliseconds ready_within) {
  char dir_template[] = "/tmp/sp-test-XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = dir_template;
  port_ = free_loopback_port();
  std::vector<std::string> args = {
      binary, "--port", std::to_string(port_), "--bind", "127.0.0.1", "--dir", dir_, "--save", ""};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = ::fork();
  if (pid_ == 0) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, STDOUT_FILENO);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  const auto deadline = Clock::now() + ready_within;
  while (!answers_ping(port_)) {
    if (Clock::now() > deadline || ::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      throw std::runtime_error(binary + " did not start on port " + std::to_string(port_));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

RedisProcess::~RedisProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

TestConnection::TestConnection(int port) : fd_(connect_loopback(port)) {}

TestConnection::~TestConnection() {
  if (fd_ >= 0) ::close(fd_);
}

void TestConnection::send(const std::string& bytes) {
  std::size_t sent = 0;
  while (fd_ >= 0 && sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

std::string TestConnection::read_at_least(std::size_t size, std::chrono::milliseconds deadline) {
  return read_while([size](const std::string& out) { return out.size() < size; }, deadline);
}

std::string TestConnection::read_until_suffix(const std::string& suffix,
                                              std::chrono::milliseconds deadline) {
  return read_while([&suffix](const std::string& out) { return !out.ends_with(suffix); }, deadline);
}

std::string TestConnection::read_while(const std::function<bool(const std::string&)>& wanting,
                                       std::chrono::milliseconds deadline) {
  std::string out;
  const auto end = Clock::now() + deadline;
  char buf[65536];
  while (fd_ >= 0 && wanting(out)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      peer_closed_ = true;
      break;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::string TestConnection::read_until_closed(std::chrono::milliseconds deadline) {
  return read_at_least(static_cast<std::size_t>(-1), deadline);
}

std::string scrape_metrics(int port) {
  TestConnection conn(port);
  if (!conn.connected()) return "";
  conn.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  return conn.read_until_closed(std::chrono::seconds(5));
}

std::string metric_sample(const std::string& text, const std::string& series) {
  auto pos = text.find("\n" + series + " ");
  if (pos == std::string::npos) return "";
  pos += series.size() + 2;
  return text.substr(pos, text.find('\n', pos) - pos);
}

}  // namespace sp::testing

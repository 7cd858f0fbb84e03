#include "tests/support/redis_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

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

// The first port the kernel hands out for outgoing connections: a listening port below it
// is never taken by a client socket between the moment it is chosen and the moment the
// server binds it.
int ephemeral_range_start() {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768;
  range >> low;
  return low;
}

bool bindable(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

int free_loopback_port() {
  // Ports are chosen below the kernel's ephemeral range, and each is claimed for the life of
  // this test process with a lock on a file of its own, so that two tests running side by
  // side (ctest -j2) never choose the same one, and no outgoing connection takes it.
  static std::mutex mutex;
  static std::vector<int> claims;  // lock files, open (and locked) until the process ends
  static std::mt19937 rng(static_cast<std::uint32_t>(std::random_device{}() ^ ::getpid()));
  const std::lock_guard lock(mutex);
  const std::string dir = std::filesystem::temp_directory_path() / "sp-test-ports";
  std::error_code ignored;
  std::filesystem::create_directories(dir, ignored);
  const int low = 10000;
  const int high = std::max(low + 1000, ephemeral_range_start());
  for (int attempt = 0; attempt < 10000; ++attempt) {
    const int port = low + static_cast<int>(rng() % static_cast<std::uint32_t>(high - low));
    const std::string path = dir + "/" + std::to_string(port);
    const int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0666);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0 || !bindable(port)) {
      ::close(fd);
      continue;
    }
    claims.push_back(fd);
    return port;
  }
  throw std::runtime_error("cannot find a free loopback port");
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

std::string http(int port, const std::string& request_line) {
  TestConnection conn(port);
  if (!conn.connected()) return "";
  conn.send(request_line + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  return conn.read_until_closed(std::chrono::seconds(5));
}

std::string scrape_metrics(int port) {
  return http(port, "GET /metrics HTTP/1.1");
}

std::string metric_sample(const std::string& text, const std::string& series) {
  auto pos = text.find("\n" + series + " ");
  if (pos == std::string::npos) return "";
  pos += series.size() + 2;
  return text.substr(pos, text.find('\n', pos) - pos);
}

}  // namespace sp::testing

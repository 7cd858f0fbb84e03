#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace sp::testing {

// A free TCP port on 127.0.0.1 for a server a test starts: below the kernel's ephemeral
// range, and claimed for the life of the test process (a lock file), so that tests run side
// by side never choose the same one.
int free_loopback_port();

// A redis-server (or redis-sentinel) child process on a free loopback port, in its own
// temp dir, stopped by pid (SIGKILL, then reaped) when this object goes away, whatever
// happened in the test.
class RedisProcess {
 public:
  // Starts `binary --port <free> --bind 127.0.0.1 --dir <tmp> --save "" <extra_args>` and
  // waits, up to `ready_within`, until it answers PING.
  explicit RedisProcess(std::vector<std::string> extra_args = {},
                        const std::string& binary = "redis-server",
                        std::chrono::milliseconds ready_within = std::chrono::seconds(10));
  ~RedisProcess();
  RedisProcess(const RedisProcess&) = delete;
  RedisProcess& operator=(const RedisProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& dir() const { return dir_; }

 private:
  int port_ = 0;
  pid_t pid_ = -1;
  std::string dir_;
};

// A blocking loopback TCP client for tests: sends bytes, reads with a deadline.
class TestConnection {
 public:
  explicit TestConnection(int port);
  ~TestConnection();
  TestConnection(const TestConnection&) = delete;
  TestConnection& operator=(const TestConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  void send(const std::string& bytes);
  // Reads until the peer closes or `deadline` passes; returns all bytes read.
  std::string read_until_closed(std::chrono::milliseconds deadline);
  // Reads until at least `size` bytes arrived or `deadline` passes.
  std::string read_at_least(std::size_t size, std::chrono::milliseconds deadline);
  // Reads until what arrived ends with `suffix` or `deadline` passes.
  std::string read_until_suffix(const std::string& suffix, std::chrono::milliseconds deadline);
  // True once a read saw the peer close the connection (end of stream or a reset): tells
  // a close from a deadline that passed.
  bool peer_closed() const { return peer_closed_; }

 private:
  std::string read_while(const std::function<bool(const std::string&)>& wanting,
                         std::chrono::milliseconds deadline);

  int fd_ = -1;
  bool peer_closed_ = false;
};

// The whole answer (status line, header and body) to `request_line` ("GET /readyz
// HTTP/1.1") on `port`, "" when nothing answers.
std::string http(int port, const std::string& request_line);
// The answer to GET /metrics on `port` (with the HTTP header), "" when nothing answers.
std::string scrape_metrics(int port);
// The value of the first sample line of `text` that starts with `series` (name and
// labels), "" if none.
std::string metric_sample(const std::string& text, const std::string& series);

}  // namespace sp::testing

#include "proxy/server/upgrade.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>

#include "common/asio_util.h"
#include "common/listening_socket.h"

extern char** environ;

namespace sp::proxy {
namespace {

// The pipe the replacement writes one byte to once it listens.
constexpr const char* kReadyVariable = "SP_UPGRADE_READY_FD";

struct HowStarted {
  std::string binary;  // absolute
  std::vector<std::string> args;
  std::string directory;
};

HowStarted& how_started() {
  static HowStarted started;
  return started;
}

// The process's environment without our own variables, then `extra`.
std::vector<std::string> environment_with(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  auto names = [](std::string_view entry, std::string_view name) {
    return entry.size() > name.size() && entry.starts_with(name) && entry[name.size()] == '=';
  };
  for (char** e = environ; *e != nullptr; ++e) {
    if (names(*e, kInheritedListenersVariable) || names(*e, kReadyVariable)) continue;
    env.emplace_back(*e);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Forks and execs the replacement; its pid, or -1 with errno set.
pid_t spawn(const std::vector<int>& listeners, int ready_write_end) {
  HowStarted& started = how_started();
  std::string list;
  for (int fd : listeners) {
    if (!list.empty()) list.push_back(',');
    list.append(std::to_string(fd));
  }
  std::string listeners_entry = kInheritedListenersVariable;
  listeners_entry.append("=").append(list);
  std::string ready_entry = kReadyVariable;
  ready_entry.append("=").append(std::to_string(ready_write_end));
  std::vector<std::string> env = environment_with({listeners_entry, ready_entry});
  std::vector<std::string> args = started.args;
  args.insert(args.begin(), started.binary);
  std::vector<char*> argv = pointers(args);
  std::vector<char*> envp = pointers(env);
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  // The child of a threaded process: only async-signal-safe calls from here on.
  for (int fd : listeners) ::fcntl(fd, F_SETFD, 0);
  ::fcntl(ready_write_end, F_SETFD, 0);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (::chdir(started.directory.c_str()) != 0) ::_exit(126);
  ::execve(argv[0], argv.data(), envp.data());
  ::_exit(127);
}

asio::awaitable<void> await_ready(std::shared_ptr<asio::posix::stream_descriptor> pipe, pid_t child,
                                  std::chrono::seconds deadline,
                                  std::function<void(std::string)> done) {
  asio::steady_timer timer(pipe->get_executor(), deadline);
  timer.async_wait([pipe](std::error_code ec) {
    if (!ec) pipe->cancel();
  });
  char byte = 0;
  auto [ec, n] = co_await pipe->async_read_some(asio::buffer(&byte, 1), use_nothrow);
  timer.cancel();
  int status = 0;
  const bool exited = ::waitpid(child, &status, WNOHANG) == child;
  if (!ec && n == 1) {
    done("");
  } else if (ec == asio::error::operation_aborted) {
    done("the new process (pid " + std::to_string(child) + ") did not listen within " +
         std::to_string(deadline.count()) + " s");
  } else if (exited) {
    done("the new process exited with status " +
         std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) +
         " before it listened (its log says why)");
  } else {
    done("the new process closed its side before it listened");
  }
}

}  // namespace

void remember_how_started(int argc, char** argv) {
  HowStarted& started = how_started();
  std::error_code ec;
  // The path, not the inode: after a package upgrade it names the new binary.
  started.binary = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec || started.binary.ends_with(" (deleted)")) {
    started.binary = std::filesystem::absolute(argv[0], ec).string();
  }
  started.args.assign(argv + 1, argv + argc);
  started.directory = std::filesystem::current_path(ec).string();
}

void start_replacement(asio::io_context& io, std::chrono::seconds deadline,
                       std::function<void(std::string error)> done) {
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) {
    done(std::string("cannot make a pipe: ") + std::strerror(errno));
    return;
  }
  const std::vector<int> listeners = listening_descriptors();
  const pid_t child = spawn(listeners, ends[1]);
  const int spawn_error = errno;
  ::close(ends[1]);
  if (child < 0) {
    ::close(ends[0]);
    done(std::string("cannot start the new process: ") + std::strerror(spawn_error));
    return;
  }
  spdlog::info("started the new process {} (pid {}) with {} listening socket(s)",
               how_started().binary, child, listeners.size());
  auto pipe = std::make_shared<asio::posix::stream_descriptor>(io, ends[0]);
  asio::co_spawn(io, await_ready(std::move(pipe), child, deadline, std::move(done)),
                 LogStrayException{"upgrade"});
}

bool tell_replaced_process_ready() {
  close_unclaimed_inherited_listeners();
  const char* text = std::getenv(kReadyVariable);
  if (text == nullptr) return false;
  const int fd = std::atoi(text);
  ::unsetenv(kReadyVariable);
  const char byte = '1';
  if (fd > STDERR_FILENO) {
    [[maybe_unused]] const ssize_t n = ::write(fd, &byte, 1);
    ::close(fd);
  }
  return true;
}

}  // namespace sp::proxy

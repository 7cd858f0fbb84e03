#include "proxy/server/upgrade.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
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

// What the old process tells the new one: its pid (the hand-over is believed from it
// alone), the listening sockets ("3,4,7"), and the pipe to write one byte to once ready.
constexpr const char* kPidVariable = "SP_UPGRADE_PID";
constexpr const char* kListenersVariable = "SP_UPGRADE_LISTENERS";
constexpr const char* kReadyVariable = "SP_UPGRADE_READY_FD";

struct State {
  std::string binary;  // absolute
  std::vector<std::string> args;
  std::string directory;
  int ready_fd = -1;         // in a replacement: the pipe to the old process
  pid_t pending_child = -1;  // in the old process: a replacement not ready yet
};

State& state() {
  static State s;
  return s;
}

bool names(std::string_view entry, std::string_view name) {
  return entry.size() > name.size() && entry.starts_with(name) && entry[name.size()] == '=';
}

// The process's environment without our own variables, then `extra`.
std::vector<std::string> environment_with(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (names(*e, kPidVariable) || names(*e, kListenersVariable) || names(*e, kReadyVariable)) {
      continue;
    }
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

std::vector<int> parse_fds(const char* text) {
  std::vector<int> fds;
  std::string_view list = text != nullptr ? text : "";
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string item(list.substr(0, comma));
    if (!item.empty() && item.size() < 10 &&
        item.find_first_not_of("0123456789") == std::string::npos) {
      fds.push_back(std::stoi(item));
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return fds;
}

std::string entry(const char* name, const std::string& value) {
  std::string text = name;
  text.append("=").append(value);
  return text;
}

// Forks and execs the replacement; its pid, or -1 with errno set.
pid_t spawn(const std::vector<int>& listeners, int ready_write_end) {
  State& started = state();
  std::string list;
  for (int fd : listeners) {
    if (!list.empty()) list.push_back(',');
    list.append(std::to_string(fd));
  }
  std::vector<std::string> env = environment_with(
      {entry(kPidVariable, std::to_string(::getpid())), entry(kListenersVariable, list),
       entry(kReadyVariable, std::to_string(ready_write_end))});
  std::vector<std::string> args = started.args;
  args.insert(args.begin(), started.binary);
  std::vector<char*> argv = pointers(args);
  std::vector<char*> envp = pointers(env);
  const long max_fd = ::sysconf(_SC_OPEN_MAX);
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  // The child of a threaded process: only async-signal-safe calls from here on. Asio opens
  // its descriptors without close-on-exec: every one but the listeners and the pipe is
  // closed at the exec, so that no client, master or sentinel connection lives on in the
  // new process.
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    for (long fd = 3; fd < max_fd; ++fd) ::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
  }
  for (int fd : listeners) ::fcntl(fd, F_SETFD, 0);
  ::fcntl(ready_write_end, F_SETFD, 0);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (::chdir(started.directory.c_str()) != 0) ::_exit(126);
  ::execve(argv[0], argv.data(), envp.data());
  ::_exit(127);
}

void kill_and_reap(pid_t child) {
  ::kill(child, SIGKILL);
  while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
  }
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
  state().pending_child = -1;
  if (!ec && n == 1) {
    done("");
    co_return;
  }
  if (ec == asio::error::operation_aborted) {
    kill_and_reap(child);
    done("the new process (pid " + std::to_string(child) + ") did not listen within " +
         std::to_string(deadline.count()) + " s: killed");
    co_return;
  }
  // Every write end is closed: the child (and whatever it started) is gone or going.
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  done("the new process exited with status " +
       std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) +
       " before it listened (its log says why)");
}

}  // namespace

void take_upgrade_environment(int argc, char** argv) {
  State& s = state();
  std::error_code ec;
  s.directory = std::filesystem::current_path(ec).string();
  // The path as started (a symlink stays one, so that a new install behind it is found),
  // else what the kernel says the binary is.
  const std::string invoked = argv[0];
  if (invoked.find('/') != std::string::npos) {
    s.binary = std::filesystem::absolute(invoked, ec).string();
  } else {
    s.binary = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  }
  s.args.assign(argv + 1, argv + argc);

  const char* pid = std::getenv(kPidVariable);
  const std::vector<int> listeners = parse_fds(std::getenv(kListenersVariable));
  const std::vector<int> ready = parse_fds(std::getenv(kReadyVariable));
  ::unsetenv(kPidVariable);
  ::unsetenv(kListenersVariable);
  ::unsetenv(kReadyVariable);
  if (pid == nullptr || std::to_string(::getppid()) != pid) return;  // not from our parent
  struct stat st {};
  if (ready.size() == 1 && ::fstat(ready[0], &st) == 0 && S_ISFIFO(st.st_mode)) {
    s.ready_fd = ready[0];
    ::fcntl(s.ready_fd, F_SETFD, FD_CLOEXEC);
  }
  if (s.ready_fd < 0) return;
  for (int fd : listeners) {
    if (listens(fd)) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  offer_inherited_listeners(listeners);
}

bool is_replacement() {
  return state().ready_fd >= 0;
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
  state().pending_child = child;
  spdlog::info("started the new process {} (pid {}) with {} listening socket(s)", state().binary,
               child, listeners.size());
  auto pipe = std::make_shared<asio::posix::stream_descriptor>(io, ends[0]);
  asio::co_spawn(io, await_ready(std::move(pipe), child, deadline, std::move(done)),
                 LogStrayException{"upgrade"});
}

void abandon_replacement() {
  State& s = state();
  if (s.pending_child <= 0) return;
  spdlog::warn("stopping the new process {} started for an upgrade: it did not listen yet",
               s.pending_child);
  kill_and_reap(s.pending_child);
  s.pending_child = -1;
}

bool tell_replaced_process_ready() {
  close_unclaimed_inherited_listeners();
  State& s = state();
  if (s.ready_fd < 0) return true;
  const char byte = '1';
  // MSG_NOSIGNAL's effect for a pipe: a reader gone is an EPIPE here, not a SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  const ssize_t n = ::write(s.ready_fd, &byte, 1);
  ::close(s.ready_fd);
  s.ready_fd = -1;
  return n == 1;
}

void write_pidfile(const std::string& path) {
  if (!path.empty()) std::ofstream(path) << ::getpid() << "\n";
}

}  // namespace sp::proxy

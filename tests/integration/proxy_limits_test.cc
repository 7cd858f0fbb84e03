// Limits and lifecycle, on a running proxy: maxclients, idle timeout, the output buffer
// limit, backpressure against a slow reader, and SIGTERM.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/proxy_harness.h"

namespace sp::testing {
namespace {

TEST(ProxyLimits, MaxclientsRejectsWithRedisTextAndKeepsTheOthers) {
  RedisProcess redis;
  ProxyProcess proxy(redis.port(), {"--maxclients", "2"});
  TestConnection a(proxy.port());
  FrameReader ra(a);
  a.send(resp({"PING"}));
  ASSERT_EQ(ra.frames(1).value_or(""), "+PONG\r\n");
  // The harness's readiness probes may not be counted out yet: retry until the second
  // slot is free.
  std::unique_ptr<TestConnection> b;
  ASSERT_TRUE(wait_until(
      [&] {
        b = std::make_unique<TestConnection>(proxy.port());
        b->send(resp({"PING"}));
        FrameReader rb(*b);
        return rb.frames(1, 2s).value_or("") == "+PONG\r\n";
      },
      10s));
  TestConnection third(proxy.port());
  FrameReader rt(third);
  EXPECT_EQ(rt.until_closed(5s).value_or("<still open>"), "-ERR max number of clients reached\r\n");
  a.send(resp({"SET", "k", "v"}));
  EXPECT_EQ(ra.frames(1).value_or(""), "+OK\r\n");
}

// Started with `ulimit -n 256`, the proxy cannot hold its default 10 000 clients (two
// descriptors each): it lowers maxclients to what fits, says so, and every client beyond
// gets Redis's refusal instead of a connection nobody serves.
TEST(ProxyLimits, LowDescriptorLimitLowersMaxclients) {
  RedisProcess redis;
  TempDir dir;
  const int port = free_loopback_port();
  const std::string log = dir.path + "/proxy.log";
  ChildProcess proxy(
      {"prlimit", "--nofile=256:256", proxy_binary(), "--port", std::to_string(port), "--upstream",
       "127.0.0.1", std::to_string(redis.port()), "--metrics-port", "0"},
      log);
  ASSERT_TRUE(wait_until([&] { return TestConnection(port).connected(); }, 10s));
  std::vector<std::unique_ptr<TestConnection>> clients;
  int served = 0, refused = 0, silent = 0;
  for (int i = 0; i < 600; ++i) {
    clients.push_back(std::make_unique<TestConnection>(port));
    clients.back()->send("PING\r\n");
    const std::string reply = clients.back()->read_until_suffix("\r\n", 5s);
    if (reply == "+PONG\r\n") {
      ++served;
    } else if (reply == "-ERR max number of clients reached\r\n") {
      ++refused;
    } else {
      ++silent;
    }
  }
  EXPECT_EQ(silent, 0);
  // (256 - 64 reserved) / 2 = 96, less the readiness probe's session if it is not gone yet.
  EXPECT_LE(served, 96);
  EXPECT_GE(served, 95);
  EXPECT_EQ(served + refused, 600);
  std::ifstream in(log);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("maxclients has been reduced to 96"), std::string::npos) << text;
}

TEST(ProxyLimits, IdleTimeoutClosesIdleClientsButNotSubscribers) {
  RedisProcess redis;
  ProxyProcess proxy(redis.port(), {"--timeout", "1"});
  TestConnection idle(proxy.port()), subscriber(proxy.port());
  FrameReader ri(idle), rs(subscriber);
  idle.send(resp({"PING"}));
  ASSERT_EQ(ri.frames(1).value_or(""), "+PONG\r\n");
  subscriber.send(resp({"SUBSCRIBE", "news"}));
  ASSERT_TRUE(rs.frames(1).has_value());
  // Redis closes an idle client after `timeout` seconds (checked once a second).
  EXPECT_EQ(ri.until_closed(10s).value_or("<still open>"), "");
  call(redis.port(), {"PUBLISH", "news", "hello"});
  EXPECT_EQ(rs.frames(1).value_or("<none>"),
            "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
}

TEST(ProxyLimits, OutputBufferHardLimitClosesOnlyThatClient) {
  RedisProcess redis;
  ProxyProcess proxy(redis.port(), {"--client-output-buffer-limit", "normal", "4kb", "0", "0"});
  ASSERT_EQ(call(redis.port(), {"SET", "big", std::string(64 * 1024, 'x')}), "+OK\r\n");
  TestConnection bystander(proxy.port());
  FrameReader rb(bystander);
  bystander.send(resp({"PING"}));
  ASSERT_EQ(rb.frames(1).value_or(""), "+PONG\r\n");
  TestConnection greedy(proxy.port());
  FrameReader rg(greedy);
  greedy.send(resp({"GET", "big"}));
  // As with Redis, a client over the hard limit is closed without an error reply.
  const auto got = rg.until_closed(10s);
  ASSERT_TRUE(got.has_value()) << "the client over the limit was not closed";
  EXPECT_LT(got->size(), 64u * 1024);
  bystander.send(resp({"PING"}));
  EXPECT_EQ(rb.frames(1).value_or(""), "+PONG\r\n");
}

// A client that asks for 400 MB of replies and reads none: the proxy stops reading the
// master (Redis holds the replies in its own output buffer) instead of buffering them.
TEST(ProxyLimits, SlowReaderCannotGrowTheProxysMemory) {
  RedisProcess redis;
  ProxyProcess proxy(redis.port());
  const std::size_t value_size = 8 * 1024 * 1024;
  ASSERT_EQ(call(redis.port(), {"SET", "big", std::string(value_size, 'x')}), "+OK\r\n");
  const long rss_before = resident_bytes(proxy.pid()) / 1024;
  TestConnection slow(proxy.port());
  std::string requests;
  for (int i = 0; i < 50; ++i) requests += resp({"GET", "big"});
  slow.send(requests);
  // Wait until Redis holds a large output buffer for the proxy's backend connection: the
  // proxy has stopped reading it.
  ASSERT_TRUE(wait_until(
      [&] {
        const std::string clients = call(redis.port(), {"CLIENT", "LIST"});
        const auto pos = clients.find("cmd=get");
        if (pos == std::string::npos) return false;
        const auto omem = clients.rfind(" omem=", pos);  // on the same line, before cmd=
        return omem != std::string::npos && std::stoll(clients.substr(omem + 6)) > 100'000'000;
      },
      30s))
      << call(redis.port(), {"CLIENT", "LIST"});
  const long rss_stalled = resident_bytes(proxy.pid()) / 1024;
  EXPECT_LT(rss_stalled - rss_before, 32 * 1024)
      << "the proxy grew by " << (rss_stalled - rss_before)
      << " KiB for a reader that reads nothing";
  // Now read everything: every byte arrives, in order.
  const std::string header = "$" + std::to_string(value_size) + "\r\n";
  const std::size_t expected = 50 * (header.size() + value_size + 2);
  const std::string all = slow.read_at_least(expected, 60s);
  ASSERT_EQ(all.size(), expected);
  EXPECT_EQ(all.substr(0, header.size()), header);
}

// The same for replies the proxy writes itself: a million pipelined PROXY INFO (25 MB, more
// than the kernel buffers; their replies would be gigabytes) from a client that reads none.
// The proxy stops reading that client once its replies wait, so the requests stay in the
// kernel's buffers and the proxy's memory does not grow with them.
TEST(ProxyLimits, UnreadProxyRepliesStopTheClientBeingRead) {
  RedisProcess redis;
  ProxyProcess proxy(redis.port());
  const long before = resident_bytes(proxy.pid());
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(proxy.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  // A send that cannot go on for 2 s gives up: the proxy has stopped reading.
  const timeval patience{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &patience, sizeof patience);
  const std::string request = resp({"PROXY", "INFO"});
  std::string requests;
  for (int i = 0; i < 1000000; ++i) requests += request;
  std::size_t sent = 0;
  while (sent < requests.size()) {
    const ssize_t n = ::send(fd, requests.data() + sent, requests.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  const long stalled = resident_bytes(proxy.pid());
  ::close(fd);
  EXPECT_LT(sent, requests.size()) << "the proxy read every request of a client reading nothing";
  EXPECT_LT(stalled - before, 8L * 1024 * 1024) << before << " -> " << stalled;
  EXPECT_EQ(call(proxy.port(), {"PING"}), "+PONG\r\n");
}

// logrotate renames the log file, then sends SIGHUP: the proxy goes on writing to a new
// file under the configured name, and a connected client notices nothing.
TEST(ProxyLimits, SighupReopensTheLogFileAndKeepsItsClients) {
  RedisProcess redis;
  const std::string dir = make_temp_dir();
  const std::string log = dir + "/proxy.log";
  {
    ProxyProcess proxy(redis.port(), {"--logfile", log});
    TestConnection client(proxy.port());
    FrameReader reader(client);
    client.send(resp({"PING"}));
    ASSERT_EQ(reader.frames(1).value_or(""), "+PONG\r\n");
    std::filesystem::rename(log, log + ".1");
    ::kill(proxy.pid(), SIGHUP);
    EXPECT_TRUE(wait_until(
        [&] { return read_file(log).find("log file reopened") != std::string::npos; }, 10s))
        << "the renamed file has " << read_file(log + ".1").size() << " bytes";
    EXPECT_TRUE(proxy.running());
    client.send(resp({"PING"}));
    EXPECT_EQ(reader.frames(1).value_or(""), "+PONG\r\n");
    EXPECT_EQ(read_file(log + ".1").find("log file reopened"), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

// Under a Type=notify unit: READY=1 once the proxy listens, the master in STATUS=, and
// STOPPING=1 at SIGTERM, all on the test's own NOTIFY_SOCKET.
TEST(ProxyLimits, SupervisedSystemdSaysReadyStatusAndStopping) {
  RedisProcess redis;
  const std::string dir = make_temp_dir();
  const std::string path = dir + "/notify";
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  ASSERT_LT(path.size(), sizeof address.sun_path);
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  timeval timeout{10, 0};  // each wait for a message
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  const auto next = [fd] {
    char buffer[512];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string("<none>");
  };
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  {
    ProxyProcess proxy(redis.port(), {"--supervised", "systemd"});
    ::unsetenv("NOTIFY_SOCKET");
    std::string told;
    for (int i = 0; i < 4 && told.find("READY=1") == std::string::npos; ++i) told += next() + "|";
    EXPECT_NE(told.find("READY=1"), std::string::npos) << told;
    EXPECT_NE(told.find("STATUS=master 127.0.0.1:" + std::to_string(redis.port()) + ", epoch 0"),
              std::string::npos)
        << told;
    ::kill(proxy.pid(), SIGTERM);
    std::string stopping;
    for (int i = 0; i < 4 && stopping.find("STOPPING=1") == std::string::npos; ++i) {
      stopping += next() + "|";
    }
    EXPECT_NE(stopping.find("STOPPING=1"), std::string::npos) << stopping;
  }
  ::unsetenv("NOTIFY_SOCKET");
  ::close(fd);
  std::filesystem::remove_all(dir);
}

// The kernel's timer on the established connection whose local port is `port`, from
// /proc/net/tcp: {timer kind, clock ticks until it fires}; {-1, 0} when there is none.
std::pair<int, long> tcp_timer_of(int port) {
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);  // the header
  char wanted[8];
  std::snprintf(wanted, sizeof wanted, ":%04X", port);
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer;
    fields >> slot >> local >> remote >> state >> queues >> timer;
    if (state != "01" || !local.ends_with(wanted)) continue;
    const auto colon = timer.find(':');
    return {std::stoi(timer.substr(0, colon), nullptr, 16),
            std::stol(timer.substr(colon + 1), nullptr, 16)};
  }
  return {-1, 0};
}

// tcp-keepalive, Redis's default 300 s: the proxy's end of a client connection runs the
// keepalive timer (kind 2, due in about 300 s); with 0, no timer is left once the
// exchange's delayed ACK is gone.
TEST(ProxyLimits, TcpKeepaliveIsRedisDefaultAndCanBeTurnedOff) {
  RedisProcess redis;
  for (const int keepalive : {300, 0}) {
    ProxyProcess proxy(redis.port(), {"--tcp-keepalive", std::to_string(keepalive)});
    TestConnection client(proxy.port());
    FrameReader reader(client);
    client.send(resp({"PING"}));
    ASSERT_EQ(reader.frames(1).value_or(""), "+PONG\r\n");
    if (keepalive > 0) {
      EXPECT_TRUE(wait_until(
          [&] {
            const auto [kind, ticks] = tcp_timer_of(proxy.port());
            return kind == 2 && ticks > 100 * 100;  // over 100 s at 100 ticks a second
          },
          5s))
          << tcp_timer_of(proxy.port()).first << " " << tcp_timer_of(proxy.port()).second;
    } else {
      EXPECT_TRUE(wait_until([&] { return tcp_timer_of(proxy.port()).first == 0; }, 5s))
          << tcp_timer_of(proxy.port()).first << " " << tcp_timer_of(proxy.port()).second;
    }
  }
}

// syslog-enabled: every line goes to syslog as well, under syslog-ident and the facility,
// with Redis's priority for its level (notice 5, warning 4). The test is the syslog
// daemon: a datagram socket at /dev/log, where none runs already.
TEST(ProxyLimits, SyslogGetsEachLineWithRedisPriorities) {
  if (::access("/dev/log", F_OK) == 0) GTEST_SKIP() << "/dev/log exists: a syslog daemon runs";
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, "/dev/log");
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
  struct Cleanup {
    int fd;
    ~Cleanup() {
      ::close(fd);
      ::unlink("/dev/log");
    }
  } cleanup{fd};
  timeval tick{0, 100 * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
  std::string received;
  auto receive_until = [&](const std::string& text) {
    return wait_until(
        [&] {
          char buf[4096];
          const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
          if (n > 0) received.append(buf, static_cast<std::size_t>(n)).push_back('\n');
          return received.find(text) != std::string::npos;
        },
        10s);
  };
  RedisProcess redis;
  ProxyProcess proxy(redis.port(), {"--syslog-enabled", "yes", "--syslog-ident", "sp-test",
                                    "--syslog-facility", "local3", "--maxclients", "1"});
  const std::string tag = " sp-test[" + std::to_string(proxy.pid()) + "]: ";
  // local3 is facility 19: <19*8+5> for notice.
  EXPECT_TRUE(receive_until("ready: clients on port")) << received;
  EXPECT_NE(received.find("<157>"), std::string::npos) << received;
  EXPECT_NE(received.find(tag + "sentinel-proxy "), std::string::npos) << received;
  // A warning: a client over maxclients.
  TestConnection first(proxy.port());
  ASSERT_TRUE(wait_until(
      [&] {
        TestConnection second(proxy.port());
        FrameReader reader(second);
        return reader.until_closed(2s).value_or("").starts_with("-ERR max number of clients");
      },
      10s));
  EXPECT_TRUE(receive_until("rejecting a client")) << received;
  const std::size_t line = received.rfind('\n', received.find("rejecting a client"));
  EXPECT_EQ(received.substr(line + 1, 5), "<156>") << received;  // local3, warning
  // The proxy's own log keeps every line too.
  EXPECT_NE(proxy.log().find("rejecting a client"), std::string::npos);
}

// daemonize yes, as Redis: the command returns at once, the daemon leaves its pid in the
// pidfile, serves clients, and removes the pidfile when SIGTERM ends it.
TEST(ProxyLimits, DaemonizeLeavesAPidfileAndServes) {
  RedisProcess redis;
  TempDir dir;
  const int port = free_loopback_port();
  const std::string pidfile = dir.path + "/proxy.pid";
  std::string output;
  ASSERT_EQ(run_command(proxy_binary() + " --port " + std::to_string(port) +
                            " --upstream 127.0.0.1 " + std::to_string(redis.port()) +
                            " --metrics-port 0 --daemonize yes --pidfile " + pidfile +
                            " --logfile " + dir.path + "/proxy.log",
                        output),
            0)
      << output;
  std::string pid_text;
  ASSERT_TRUE(wait_until(
      [&] {
        pid_text = read_file(pidfile);
        return !pid_text.empty() && pid_text.back() == '\n';
      },
      10s));
  const pid_t pid = std::stoi(pid_text);
  ASSERT_GT(pid, 1);
  struct KillOnExit {
    pid_t pid;
    ~KillOnExit() { ::kill(pid, SIGKILL); }  // whatever the test found
  } guard{pid};
  ASSERT_TRUE(wait_until([&] { return call(port, {"SET", "d", "1"}, 1s) == "+OK\r\n"; }, 10s));
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  EXPECT_TRUE(wait_until([&] { return !std::filesystem::exists(pidfile); }, 10s))
      << "the pidfile outlived the daemon";
  EXPECT_TRUE(wait_until([&] { return ::kill(pid, 0) != 0; }, 10s)) << "the daemon still runs";
}

TEST(ProxyLimits, SigtermFlushesRepliesAlreadyAskedForAndExitsZero) {
  RedisProcess redis;
  ProxyProcess proxy(redis.port());
  TestConnection client(proxy.port());
  FrameReader reader(client);
  // A reply that arrives half a second after the signal.
  client.send(resp({"BLPOP", "nothing", "0.5"}));
  ASSERT_TRUE(wait_until(
      [&] {
        return call(redis.port(), {"CLIENT", "LIST"}).find("cmd=blpop") != std::string::npos;
      },
      5s));
  ::kill(proxy.pid(), SIGTERM);
  EXPECT_EQ(reader.until_closed(10s).value_or("<still open>"), "*-1\r\n");
  int status = 0;
  ASSERT_EQ(::waitpid(proxy.pid(), &status, 0), proxy.pid());
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace sp::testing

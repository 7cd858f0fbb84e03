// An upgrade without refusing a connection: SIGUSR2 starts the binary again with the
// listening sockets handed over; the new process serves and the old one drains and exits,
// while clients connect all along.
#include <signal.h>

#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <string>

#include "tests/integration/proxy_harness.h"
#include "tests/support/upgrade_clients.h"

namespace sp::testing {
namespace {

TEST(ProxyUpgrade, SigusrTwoHandsTheSocketsOverWithoutRefusingAConnection) {
  RedisProcess redis;
  TempDir dir;
  const std::string pidfile = dir.path + "/proxy.pid";
  KillByPidfile cleanup{pidfile};
  const int metrics_port = free_loopback_port();
  ProxyProcess proxy(redis.port(),
                     {"--pidfile", pidfile, "--metrics-port", std::to_string(metrics_port)});
  const pid_t old_pid = proxy.pid();
  ASSERT_TRUE(wait_until([&] { return pid_in(pidfile) == old_pid; }, 10s));
  // A client that keeps its connection open and is idle at the hand-over: the old process
  // closes it (between commands), and nothing of it lives on in the new process.
  TestConnection idle(proxy.port());
  FrameReader idle_reader(idle);
  idle.send(resp({"PING"}));
  ASSERT_EQ(idle_reader.frames(1).value_or(""), "+PONG\r\n");
  ShortLivedClients clients(proxy.port(), 4);
  ASSERT_TRUE(wait_until([&] { return clients.answered() > 200; }, 10s));

  ASSERT_EQ(::kill(old_pid, SIGUSR2), 0);
  // The old process drains and exits; the new one has written its pid over the old one's.
  ASSERT_TRUE(wait_until([&] { return !proxy.running(); }, 20s)) << proxy.log();
  EXPECT_TRUE(idle_reader.until_closed(5s).has_value())
      << "the idle client's connection outlived the old process";
  const pid_t new_pid = pid_in(pidfile);
  ASSERT_GT(new_pid, 0);
  EXPECT_NE(new_pid, old_pid);
  const int before = clients.answered();
  EXPECT_TRUE(wait_until([&] { return clients.answered() > before + 200; }, 10s));
  clients.stop();

  EXPECT_EQ(clients.refused(), 0) << "answered " << clients.answered() << ", failed "
                                  << clients.failed() << "\n"
                                  << proxy.log();
  const std::string info = call(proxy.port(), {"PROXY", "INFO"});
  EXPECT_EQ(info_field(info, "process_id"), std::to_string(new_pid));
  EXPECT_NE(scrape_metrics(metrics_port).find("sentinel_proxy_"), std::string::npos)
      << "the metrics port was not handed over";
  const std::string log = proxy.log();
  EXPECT_NE(log.find("handed over to the new process"), std::string::npos) << log;
  std::cout << "upgrade under load: " << clients.answered() << " answered, " << clients.refused()
            << " refused, " << clients.failed() << " closed before their reply\n";
}

// A new binary that cannot start (here: a config file it refuses) leaves the old process
// serving, and a later SIGUSR2 can try again.
TEST(ProxyUpgrade, AFailedUpgradeLeavesTheOldProcessServing) {
  RedisProcess redis;
  TempDir dir;
  const std::string file = dir.path + "/proxy.conf";
  const std::string pidfile = dir.path + "/proxy.pid";
  KillByPidfile cleanup{pidfile};
  std::ofstream(file) << "pidfile " << pidfile << "\n";
  ProxyProcess proxy(redis.port(), {}, 10s, file);
  std::ofstream(file) << "pidfile " << pidfile << "\nno-such-directive 1\n";
  ASSERT_EQ(::kill(proxy.pid(), SIGUSR2), 0);
  EXPECT_TRUE(
      wait_until([&] { return proxy.log().find("upgrade failed") != std::string::npos; }, 20s))
      << proxy.log();
  EXPECT_TRUE(proxy.running());
  EXPECT_EQ(call(proxy.port(), {"PING"}), "+PONG\r\n");

  std::ofstream(file) << "pidfile " << pidfile << "\n";
  ASSERT_EQ(::kill(proxy.pid(), SIGUSR2), 0);
  EXPECT_TRUE(wait_until([&] { return !proxy.running(); }, 20s)) << proxy.log();
  EXPECT_EQ(call(proxy.port(), {"PING"}), "+PONG\r\n");
}

}  // namespace
}  // namespace sp::testing

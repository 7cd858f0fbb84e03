// An upgrade with the sentinel inside (SIGUSR2; README.md, "Running in production"): the
// old process stops its sentinel with the state saved in the file, the new one loads it
// and takes both the client port and the sentinel port over. One sentinel of the id runs
// at a time, no connection to either port is refused, and the group fails over through
// the new process afterwards. An upgrade that fails leaves the old sentinel running.
#include <signal.h>

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "tests/sentinel_io/redis_group.h"
#include "tests/sentinel_io/sentinel_group.h"
#include "tests/support/processes.h"
#include "tests/support/upgrade_clients.h"

namespace sp::testing {
namespace {

std::string myid(int sentinel_port) {
  auto id = call_value(sentinel_port, {"SENTINEL", "MYID"});
  return id ? id->text : "";
}

// " +sdown master ...", " -odown ...": an event's name follows its sign (a level mark
// "-" is followed by a space).
bool is_event_line(const std::string& line) {
  for (std::size_t i = 0; i + 2 < line.size(); ++i) {
    if (line[i] == ' ' && (line[i + 1] == '+' || line[i + 1] == '-') &&
        std::islower(static_cast<unsigned char>(line[i + 2]))) {
      return true;
    }
  }
  return false;
}

// The lines of sentinel events (+sdown, +vote-for-leader, +switch-master...) that `pid`
// logged after it stopped its sentinel for the upgrade: none, if one sentinel of the id
// runs at a time.
std::string sentinel_events_after_stop(const std::string& log, pid_t pid) {
  const std::size_t stop = log.find("sentinel stopped for an upgrade");
  if (stop == std::string::npos) return "";
  const std::string mark = std::to_string(pid) + ":";
  std::string found;
  std::size_t at = log.find('\n', stop);
  while (at != std::string::npos && at + 1 < log.size()) {
    const std::size_t end = log.find('\n', at + 1);
    const std::string line = log.substr(at + 1, end == std::string::npos ? end : end - at - 1);
    if (line.rfind(mark, 0) == 0 && is_event_line(line)) found += line + "\n";
    at = end;
  }
  return found;
}

std::string routed_port(int client_port) {
  auto t = call_value(client_port, {"PROXY", "TOPOLOGY"});
  return t ? field(*t, "master-port") : "";
}

// After the master is killed: the port every proxy routes to once they agree on a new
// master, "" if they never do.
std::string new_master_port(const std::vector<int>& client_ports, int old_port) {
  std::string agreed;
  wait_until(
      [&] {
        agreed = routed_port(client_ports[0]);
        if (agreed.empty() || agreed == std::to_string(old_port)) return false;
        for (int port : client_ports) {
          if (routed_port(port) != agreed) return false;
        }
        return true;
      },
      40s);
  return agreed == std::to_string(old_port) ? "" : agreed;
}

TEST(ProxyUpgradeWithSentinel, HandsBothPortsAndTheSentinelOver) {
  RedisGroup g({false, false, false}, /*start_sentinels=*/false);
  const std::vector<int> client_ports = g.start_proxies();
  const int sentinel_port = g.sentinel_ports[0];
  const int client_port = client_ports[0];
  const std::string pidfile = g.pidfile(sentinel_port);
  KillByPidfile cleanup{pidfile};
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s));
  const pid_t old_pid = g.sentinels[0]->pid();
  ASSERT_TRUE(wait_until([&] { return pid_in(pidfile) == old_pid; }, 10s));
  const std::string id = myid(sentinel_port);
  ASSERT_EQ(id.size(), 40u);

  ShortLivedClients clients(client_port, 3);
  ShortLivedClients sentinel_clients(sentinel_port, 1);
  ASSERT_TRUE(wait_until(
      [&] { return clients.answered() > 200 && sentinel_clients.answered() > 50; }, 10s));
  ASSERT_EQ(::kill(old_pid, SIGUSR2), 0);
  ASSERT_TRUE(wait_until([&] { return !g.sentinels[0]->running(); }, 20s))
      << read_file(g.conf(sentinel_port) + ".log");
  const pid_t new_pid = pid_in(pidfile);
  ASSERT_GT(new_pid, 0);
  EXPECT_NE(new_pid, old_pid);
  const int before = clients.answered();
  const int sentinel_before = sentinel_clients.answered();
  EXPECT_TRUE(wait_until(
      [&] {
        return clients.answered() > before + 200 &&
               sentinel_clients.answered() > sentinel_before + 50;
      },
      10s));
  clients.stop();
  sentinel_clients.stop();
  const std::string log = read_file(g.conf(sentinel_port) + ".log");
  EXPECT_EQ(clients.refused(), 0) << log;
  EXPECT_EQ(sentinel_clients.refused(), 0) << log;
  std::cout << "upgrade with the sentinel inside: client port " << clients.answered()
            << " answered, " << clients.refused() << " refused, " << clients.failed()
            << " closed before their reply; sentinel port " << sentinel_clients.answered()
            << " answered, " << sentinel_clients.refused() << " refused\n";
  EXPECT_NE(log.find("sentinel stopped for an upgrade"), std::string::npos) << log;
  EXPECT_NE(log.find("handed over to the new process"), std::string::npos) << log;
  EXPECT_EQ(sentinel_events_after_stop(log, old_pid), "") << log;

  // The same sentinel, now in the new process, still one of three to its peers.
  EXPECT_EQ(myid(sentinel_port), id);
  EXPECT_EQ(info_field(call(sentinel_port, {"INFO", "server"}), "process_id"),
            std::to_string(new_pid));
  EXPECT_EQ(info_field(call(client_port, {"PROXY", "INFO"}), "process_id"),
            std::to_string(new_pid));
  EXPECT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s));

  // The group fails over with the new process in it, and its clients follow.
  g.master->kill();
  const std::string promoted = new_master_port(client_ports, g.master_port);
  ASSERT_FALSE(promoted.empty()) << read_file(g.conf(sentinel_port) + ".log");
  EXPECT_EQ(g.master_addr(sentinel_port), "127.0.0.1:" + promoted);
  EXPECT_TRUE(wait_until(
      [&] {
        return call(client_port, {"SET", "after", "1"}) == "+OK\r\n";
      },
      10s));
  auto landed = call_value(std::stoi(promoted), {"GET", "after"});
  ASSERT_TRUE(landed.has_value());
  EXPECT_EQ(landed->text, "1");
}

// A new process that cannot start (a line in the file it refuses) leaves the old one's
// sentinel running again, in the group, and following the next failover.
TEST(ProxyUpgradeWithSentinel, AFailedUpgradeLeavesTheSentinelRunning) {
  RedisGroup g({false, false, false}, /*start_sentinels=*/false);
  const std::vector<int> client_ports = g.start_proxies();
  const int sentinel_port = g.sentinel_ports[0];
  const std::string conf = g.conf(sentinel_port);
  KillByPidfile cleanup{g.pidfile(sentinel_port)};
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s));
  const std::string id = myid(sentinel_port);
  std::ofstream(conf, std::ios::app) << "no-such-directive 1\n";

  ASSERT_EQ(::kill(g.sentinels[0]->pid(), SIGUSR2), 0);
  EXPECT_TRUE(wait_until(
      [&] { return read_file(conf + ".log").find("sentinel running again") != std::string::npos; },
      20s))
      << read_file(conf + ".log");
  EXPECT_NE(read_file(conf + ".log").find("upgrade failed"), std::string::npos);
  EXPECT_TRUE(g.sentinels[0]->running());
  EXPECT_EQ(myid(sentinel_port), id);
  EXPECT_EQ(call(client_ports[0], {"PING"}), "+PONG\r\n");
  EXPECT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s));

  g.master->kill();
  const std::string promoted = new_master_port(client_ports, g.master_port);
  ASSERT_FALSE(promoted.empty()) << read_file(conf + ".log");
  EXPECT_EQ(g.master_addr(sentinel_port), "127.0.0.1:" + promoted);
}

}  // namespace
}  // namespace sp::testing

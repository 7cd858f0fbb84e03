// Follow mode against real processes: a redis-server master with two replicas, three real
// redis-sentinel processes (quorum 2, down-after 1000 ms), and one sentinel-proxy started
// with `--sentinel-follow mymaster <s1> <s2> <s3>`. Clients of the proxy write and read, and
// when the sentinels switch the master (SENTINEL FAILOVER, a killed or hung master, even
// after the sentinel the proxy listens to died) new commands go to the new master and idle
// sessions keep their connection; only a session with a command in flight on a hung master
// is closed.
#include <signal.h>

#include <gtest/gtest.h>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/sentinel_io/proxy_client.h"
#include "tests/sentinel_io/redis_group.h"
#include "tests/sentinel_io/sentinel_group.h"
#include "tests/support/processes.h"
#include "tests/support/redis_process.h"

namespace sp::testing {
namespace {

using Client = ProxyClient;

std::string bulk(const std::string& s) {
  return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

// A master, two replicas, three real redis-sentinels that know all of them, and a
// sentinel-proxy following those sentinels.
struct FollowedGroup {
  RedisGroup g{{true, true, true}};
  int proxy_port = free_loopback_port();
  std::unique_ptr<ChildProcess> proxy;

  FollowedGroup() {
    if (!wait_until([&] { return g.all_discovered(); }, 20s)) {
      throw std::runtime_error("the sentinels never discovered the whole group");
    }
    std::vector<std::string> argv = {
        SP_SENTINEL_PROXY_BINARY, "--port",  std::to_string(proxy_port), "--metrics-port", "0",
        "--sentinel-follow",      "mymaster"};
    for (int port : g.sentinel_ports) argv.push_back("127.0.0.1:" + std::to_string(port));
    proxy = std::make_unique<ChildProcess>(argv, g.dir + "/proxy.log");
    if (!wait_until([&] { return !call(proxy_port, {"PROXY", "TOPOLOGY"}, 300ms).empty(); }, 15s)) {
      throw std::runtime_error("sentinel-proxy did not start in follow mode");
    }
  }

  std::string info(const std::string& field) {
    return info_field(call(proxy_port, {"PROXY", "INFO"}), field);
  }
  // The port the proxy routes to now.
  std::string routed_port() {
    auto t = call_value(proxy_port, {"PROXY", "TOPOLOGY"});
    return t ? field(*t, "master-port") : "";
  }
  // Waits until the proxy routes to a master other than `old_port` that all live sentinels
  // name; returns its port ("" if that never happened).
  std::string wait_for_switch_from(int old_port, const std::vector<int>& live_sentinels) {
    std::string port;
    const bool switched = wait_until(
        [&] {
          port = routed_port();
          if (port.empty() || port == std::to_string(old_port)) return false;
          for (int s : live_sentinels) {
            if (g.master_addr(s) != "127.0.0.1:" + port) return false;
          }
          return true;
        },
        40s);
    return switched ? port : "";
  }
};

TEST(ProxyFollow, ServesTheNamedMasterAndFollowsSentinelFailover) {
  FollowedGroup f;
  EXPECT_EQ(f.routed_port(), std::to_string(f.g.master_port));
  EXPECT_EQ(f.info("mode"), "follow");
  // The subscription is set up in the background after start-up.
  EXPECT_TRUE(wait_until([&] { return !f.info("followed_sentinel").empty(); }, 10s));

  Client idle(f.proxy_port);
  ASSERT_EQ(idle.ask({"SELECT", "2"}), "+OK\r\n");
  ASSERT_EQ(idle.ask({"SET", "before", "1"}), "+OK\r\n");
  ASSERT_EQ(idle.ask({"GET", "before"}), bulk("1"));
  ASSERT_EQ(idle.ask({"WAIT", "2", "5000"}), ":2\r\n");

  ASSERT_EQ(failover_when_possible(f.g.sentinel_ports[1], {"SENTINEL", "FAILOVER", "mymaster"}),
            "+OK\r\n");
  const std::string new_port = f.wait_for_switch_from(f.g.master_port, f.g.sentinel_ports);
  ASSERT_FALSE(new_port.empty()) << "the proxy never followed the switch";

  // The idle session moved with its database and writes to the new master.
  EXPECT_EQ(idle.ask({"SET", "after", "2"}, 10s), "+OK\r\n");
  EXPECT_EQ(idle.ask({"GET", "before"}), bulk("1"));
  EXPECT_FALSE(idle.closed());
  TestConnection direct(std::stoi(new_port));
  direct.send(resp({"SELECT", "2"}) + resp({"GET", "after"}));
  EXPECT_EQ(direct.read_at_least(12, 2s), "+OK\r\n" + bulk("2"));
  Client fresh(f.proxy_port);
  EXPECT_EQ(fresh.ask({"SET", "fresh", "3"}), "+OK\r\n");
  // The idle session, and any of the test's own PROXY TOPOLOGY polls that was connected at
  // that moment (on a busy machine one was, once: "2").
  EXPECT_GE(std::stoi(f.info("sessions_migrated")), 1);
}

TEST(ProxyFollow, FollowsAFailoverAfterAKilledMaster) {
  FollowedGroup f;
  Client idle(f.proxy_port);
  ASSERT_EQ(idle.ask({"SET", "k", "1"}), "+OK\r\n");
  ASSERT_EQ(idle.ask({"WAIT", "2", "5000"}), ":2\r\n");
  Client held(f.proxy_port);
  ASSERT_EQ(held.ask({"PING"}), "+PONG\r\n");

  const auto killed = std::chrono::steady_clock::now();
  f.g.master->kill();
  // The session notices its master connection is gone, then a command waits for the new
  // master instead of failing.
  ASSERT_TRUE(wait_until(
      [&] {
        return info_field(held.ask({"PROXY", "INFO"}), "master_link_status") == "down";
      },
      5s));
  held.send({"SET", "held", "1"});
  const auto held_reply = held.reply(40s);
  ASSERT_TRUE(held_reply.has_value()) << "the held command was never answered";
  EXPECT_EQ(*held_reply, "+OK\r\n");
  std::printf("follow mode, SIGKILL of the master: a held SET answered after %.2f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count());

  const std::string new_port = f.wait_for_switch_from(f.g.master_port, f.g.sentinel_ports);
  ASSERT_FALSE(new_port.empty());
  auto on_new = call_value(std::stoi(new_port), {"GET", "held"});
  ASSERT_TRUE(on_new.has_value());
  EXPECT_EQ(on_new->text, "1") << "the held write did not land on the new master";
  EXPECT_EQ(idle.ask({"SET", "k", "2"}, 10s), "+OK\r\n");
  EXPECT_EQ(idle.ask({"GET", "k"}), bulk("2"));
  EXPECT_FALSE(idle.closed());
  EXPECT_FALSE(held.closed());
}

TEST(ProxyFollow, AHungMasterClosesOnlySessionsWithCommandsInFlight) {
  FollowedGroup f;
  Client idle(f.proxy_port);
  ASSERT_EQ(idle.ask({"SELECT", "2"}), "+OK\r\n");
  Client busy(f.proxy_port);
  ASSERT_EQ(busy.ask({"PING"}), "+PONG\r\n");

  f.g.master->signal(SIGSTOP);
  busy.send({"SET", "busy", "1"});  // reaches the hung master: its outcome is unknown
  const std::string new_port = f.wait_for_switch_from(f.g.master_port, f.g.sentinel_ports);
  ASSERT_FALSE(new_port.empty());
  const auto rest = busy.until_closed(10s);
  ASSERT_TRUE(rest.has_value()) << "the session with a command in flight stayed open";
  EXPECT_EQ(*rest, "");
  EXPECT_EQ(idle.ask({"SET", "idle", "1"}, 10s), "+OK\r\n");
  EXPECT_FALSE(idle.closed());

  // The old master wakes up still calling itself master: the proxy stays on the new one.
  f.g.master->signal(SIGCONT);
  Client after(f.proxy_port);
  EXPECT_EQ(after.ask({"SET", "after", "1"}), "+OK\r\n");
  auto on_new = call_value(std::stoi(new_port), {"GET", "after"});
  ASSERT_TRUE(on_new.has_value());
  EXPECT_EQ(on_new->text, "1");
  EXPECT_EQ(f.routed_port(), new_port);
}

TEST(ProxyFollow, FollowsThroughAnotherSentinelWhenItsOwnDies) {
  FollowedGroup f;
  Client idle(f.proxy_port);
  ASSERT_EQ(idle.ask({"SET", "k", "1"}), "+OK\r\n");

  ASSERT_TRUE(wait_until([&] { return !f.info("followed_sentinel").empty(); }, 10s));
  const std::string followed = f.info("followed_sentinel");
  std::size_t dead = f.g.sentinel_ports.size();
  for (std::size_t i = 0; i < f.g.sentinel_ports.size(); ++i) {
    if (followed == "127.0.0.1:" + std::to_string(f.g.sentinel_ports[i])) dead = i;
  }
  ASSERT_LT(dead, f.g.sentinel_ports.size()) << "followed sentinel: '" << followed << "'";
  f.g.sentinels[dead]->kill();
  std::vector<int> live;
  for (std::size_t i = 0; i < f.g.sentinel_ports.size(); ++i) {
    if (i != dead) live.push_back(f.g.sentinel_ports[i]);
  }
  ASSERT_TRUE(wait_until(
      [&] {
        const std::string now = f.info("followed_sentinel");
        return !now.empty() && now != followed;
      },
      10s))
      << "the proxy never subscribed to another sentinel";

  // Fail over through the live sentinel the proxy does not listen to, if there is one.
  const std::string now_followed = f.info("followed_sentinel");
  int via = live.front();
  for (int port : live) {
    if (now_followed != "127.0.0.1:" + std::to_string(port)) via = port;
  }
  ASSERT_EQ(failover_when_possible(via, {"SENTINEL", "FAILOVER", "mymaster"}), "+OK\r\n");
  const std::string new_port = f.wait_for_switch_from(f.g.master_port, live);
  ASSERT_FALSE(new_port.empty()) << "the proxy never followed the switch";
  EXPECT_EQ(idle.ask({"SET", "k", "2"}, 10s), "+OK\r\n");
  EXPECT_FALSE(idle.closed());
  auto on_new = call_value(std::stoi(new_port), {"GET", "k"});
  ASSERT_TRUE(on_new.has_value());
  EXPECT_EQ(on_new->text, "2");
}

TEST(ProxyFollow, AuthenticatesToTheSentinels) {
  TempDir dir;
  const int master_port = free_loopback_port();
  const int sentinel_port = free_loopback_port();
  auto master = start_redis_on(master_port, dir.path);
  const std::string conf = dir.path + "/sentinel.conf";
  write_sentinel_conf(conf, sentinel_port, master_port);
  std::ofstream(conf, std::ios::app) << "requirepass s3cret\n";
  auto sentinel = start_redis_sentinel(conf, sentinel_port);
  const std::string address = "127.0.0.1:" + std::to_string(sentinel_port);

  // Without the password every sentinel refuses, and start-up says so.
  std::string output;
  const int status =
      run_command(std::string(SP_SENTINEL_PROXY_BINARY) +
                      " --port 1 --metrics-port 0 --sentinel-follow mymaster " + address + " 2>&1",
                  output);
  EXPECT_EQ(status, 1) << output;
  EXPECT_NE(output.find("no sentinel named a master for 'mymaster' that answers ROLE as master: " +
                        address + ": NOAUTH"),
            std::string::npos)
      << output;

  const int proxy_port = free_loopback_port();
  ChildProcess proxy(
      {SP_SENTINEL_PROXY_BINARY, "--port", std::to_string(proxy_port), "--metrics-port", "0",
       "--sentinel-follow", "mymaster", address, "--sentinel-follow-pass", "s3cret"},
      dir.path + "/proxy.log");
  ASSERT_TRUE(wait_until(
      [&] {
        return info_field(call(proxy_port, {"PROXY", "INFO"}, 300ms), "followed_sentinel") ==
               address;
      },
      15s));
  Client client(proxy_port);
  EXPECT_EQ(client.ask({"SET", "k", "v"}), "+OK\r\n");
  auto direct = call_value(master_port, {"GET", "k"});
  ASSERT_TRUE(direct.has_value());
  EXPECT_EQ(direct->text, "v");
}

TEST(ProxyFollow, SkipsASentinelThatDoesNotMonitorTheGroup) {
  TempDir dir;
  const int master_port = free_loopback_port();
  auto master = start_redis_on(master_port, dir.path);
  const int stranger_port = free_loopback_port();
  const std::string stranger_conf = dir.path + "/stranger.conf";
  std::ofstream(stranger_conf) << "port " << stranger_port << "\nsentinel monitor othergroup "
                               << "127.0.0.1 " << master_port << " 1\n";
  auto stranger = start_redis_sentinel(stranger_conf, stranger_port);
  std::vector<int> ports = {free_loopback_port(), free_loopback_port()};
  std::vector<std::unique_ptr<ChildProcess>> sentinels;
  for (int port : ports) {
    const std::string conf = dir.path + "/sentinel-" + std::to_string(port) + ".conf";
    write_sentinel_conf(conf, port, master_port);
    sentinels.push_back(start_redis_sentinel(conf, port));
  }
  const auto address = [](int port) { return "127.0.0.1:" + std::to_string(port); };

  // The stranger sits between the two that monitor the group: when the first one dies,
  // the subscription must skip it.
  const int proxy_port = free_loopback_port();
  ChildProcess proxy({SP_SENTINEL_PROXY_BINARY, "--port", std::to_string(proxy_port),
                      "--metrics-port", "0", "--sentinel-follow", "mymaster", address(ports[0]),
                      address(stranger_port), address(ports[1])},
                     dir.path + "/proxy.log");
  const auto followed = [&] {
    return info_field(call(proxy_port, {"PROXY", "INFO"}, 300ms), "followed_sentinel");
  };
  ASSERT_TRUE(wait_until([&] { return followed() == address(ports[0]); }, 15s));
  sentinels[0]->kill();
  ASSERT_TRUE(wait_until([&] { return followed() == address(ports[1]); }, 10s)) << followed();
  Client client(proxy_port);
  EXPECT_EQ(client.ask({"SET", "k", "v"}), "+OK\r\n");
}

}  // namespace
}  // namespace sp::testing

// A mixed group on TLS (README.md, "TLS"): a master and two replicas replicating over TLS,
// watched by a redis-sentinel, a sentinel-proxy in drop-in mode and a sentinel-proxy in
// proxy mode, every link between them TLS (tls-replication yes, as redis-sentinel runs it),
// and clients of the proxy on its TLS port. The master is SIGKILLed: the three elect a
// leader and promote a replica over TLS, and the clients follow. Each process keeps a port
// in the clear beside its TLS port for the test's own questions only: what the group
// learns of itself (replicas, peers) is TLS ports. A fourth sentinel-proxy follows the
// three sentinels (sentinel-follow) over TLS. Then a planned switchover (PROXY FAILOVER)
// that a client's TLS session lives through with its state, and a certificate renewed and
// read again on SIGHUP by both modes of sentinel-proxy.
#include <signal.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/sentinel_io/redis_group.h"
#include "tests/sentinel_io/sentinel_group.h"
#include "tests/support/processes.h"
#include "tests/support/tls_certs.h"

namespace sp::testing {
namespace {

std::string tls_lines(const TlsCerts& certs) {
  return "tls-cert-file " + certs.server_cert + "\ntls-key-file " + certs.server_key +
         "\ntls-ca-cert-file " + certs.ca + "\ntls-replication yes\n";
}

std::vector<std::string> tls_args(const TlsCerts& certs, int tls_port) {
  std::vector<std::string> args = {"--tls-port", std::to_string(tls_port), "--tls-replication",
                                   "yes"};
  for (const auto& word : certs.server_args()) args.push_back(word);
  return args;
}

// The ports of the peers `sentinel_port` knows (SENTINEL SENTINELS), sorted.
std::vector<std::string> peer_ports(int sentinel_port) {
  std::vector<std::string> ports;
  auto peers = call_value(sentinel_port, {"SENTINEL", "SENTINELS", "mymaster"});
  if (!peers) return ports;
  for (const auto& peer : peers->elements) ports.push_back(field(peer, "port"));
  std::sort(ports.begin(), ports.end());
  return ports;
}

TEST(SentinelTls, MixedGroupFailsOverOnTlsAndClientsFollow) {
  TempDir certs_dir;
  const TlsCerts certs = TlsCerts::make(certs_dir.path);
  RedisGroup g({}, /*start_sentinels=*/false);
  // The group's own addresses are the TLS ports; the plain ones are the test's side door.
  std::map<int, int> plain_of;  // TLS port -> plain port
  const int master_tls = free_loopback_port();
  plain_of[master_tls] = g.master_port;
  g.master.reset();
  g.master = start_redis_on(g.master_port, g.dir, tls_args(certs, master_tls));
  std::vector<int> replica_tls;
  g.replicas.clear();
  for (int port : g.replica_ports) {
    const int tls_port = free_loopback_port();
    replica_tls.push_back(tls_port);
    plain_of[tls_port] = port;
    auto args = tls_args(certs, tls_port);
    args.insert(args.end(), {"--replicaof", "127.0.0.1", std::to_string(master_tls)});
    g.replicas.push_back(start_redis_on(port, g.dir, args));
  }

  std::vector<int> sentinel_tls;
  for (std::size_t i = 0; i < 3; ++i) sentinel_tls.push_back(free_loopback_port());
  const std::string tls = tls_lines(certs);
  // 0: sentinel-proxy in proxy mode, its clients on a TLS port.
  const int client_port = free_loopback_port();
  const int client_tls = free_loopback_port();
  const int s0 = g.sentinel_ports[0];
  write_sentinel_conf(g.conf(s0), client_port, master_tls);
  std::ofstream(g.conf(s0), std::ios::app)
      << "sentinel-port " << s0 << "\nsentinel-tls-port " << sentinel_tls[0] << "\ntls-port "
      << client_tls << "\nmetrics-port 0\n"
      << tls;
  g.sentinels.push_back(start_proxy_with_sentinel(g.conf(s0), s0, client_port));
  // 1: redis-sentinel; 2: sentinel-proxy in drop-in mode, with the same file.
  for (std::size_t i = 1; i < 3; ++i) {
    const int port = g.sentinel_ports[i];
    write_sentinel_conf(g.conf(port), port, master_tls);
    std::ofstream(g.conf(port), std::ios::app) << "tls-port " << sentinel_tls[i] << "\n" << tls;
    g.sentinels.push_back(i == 1 ? start_redis_sentinel(g.conf(port), port)
                                 : start_sentinel_proxy(g.conf(port), port));
  }

  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 30s))
      << read_file(g.conf(s0) + ".log") << read_file(g.conf(g.sentinel_ports[2]) + ".log");
  // Every sentinel knows the others at their TLS ports (the hellos announce them, as
  // Sentinel's do with tls-replication), and the replicas at theirs.
  for (std::size_t i = 0; i < 3; ++i) {
    std::vector<std::string> expected;
    for (std::size_t j = 0; j < 3; ++j) {
      if (j != i) expected.push_back(std::to_string(sentinel_tls[j]));
    }
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(peer_ports(g.sentinel_ports[i]), expected) << "sentinel " << i;
    auto replicas = call_value(g.sentinel_ports[i], {"SENTINEL", "REPLICAS", "mymaster"});
    ASSERT_TRUE(replicas.has_value());
    for (const auto& replica : replicas->elements) {
      const int port = std::stoi(field(replica, "port"));
      EXPECT_TRUE(port == replica_tls[0] || port == replica_tls[1]) << port;
    }
  }

  // Follow mode to the TLS sentinels: a fourth proxy asks them over TLS (and the master).
  const int follow_port = free_loopback_port();
  std::vector<std::string> follow_argv = {
      SP_SENTINEL_PROXY_BINARY, "--port", std::to_string(follow_port), "--metrics-port", "0",
      "--tls-replication",      "yes"};
  for (const auto& word : certs.server_args()) follow_argv.push_back(word);
  follow_argv.insert(follow_argv.end(), {"--sentinel-follow", "mymaster"});
  for (int port : sentinel_tls) follow_argv.push_back("127.0.0.1:" + std::to_string(port));
  ChildProcess follower(follow_argv, g.dir + "/follower.log");
  const auto followed_port = [&] {
    auto t = call_value(follow_port, {"PROXY", "TOPOLOGY"}, 300ms);
    return t ? field(*t, "master-port") : "";
  };
  ASSERT_TRUE(wait_until([&] { return followed_port() == std::to_string(master_tls); }, 15s))
      << read_file(g.dir + "/follower.log");

  // Clients over TLS through the proxy, to the TLS-only links behind it.
  ASSERT_EQ(redis_cli_tls(certs, client_tls, "SET before 1"), "OK\n")
      << read_file(g.conf(s0) + ".log");
  EXPECT_EQ(call(g.master_port, {"GET", "before"}), "$1\r\n1\r\n");

  g.master->kill();
  std::string promoted;
  ASSERT_TRUE(wait_until(
      [&] {
        promoted = g.agreed_master_other_than("127.0.0.1:" + std::to_string(master_tls));
        return !promoted.empty();
      },
      60s))
      << read_file(g.conf(s0) + ".log") << read_file(g.conf(g.sentinel_ports[1]) + ".log");
  const int promoted_tls = std::stoi(promoted.substr(promoted.find(':') + 1));
  ASSERT_TRUE(plain_of.count(promoted_tls)) << promoted;
  EXPECT_EQ(g.role_of(plain_of[promoted_tls]), "master");
  // The clients follow: a write through the proxy's TLS port lands on the new master.
  EXPECT_TRUE(
      wait_until([&] { return redis_cli_tls(certs, client_tls, "SET after 1") == "OK\n"; }, 20s))
      << read_file(g.conf(s0) + ".log");
  EXPECT_EQ(call(plain_of[promoted_tls], {"GET", "after"}), "$1\r\n1\r\n");
  EXPECT_EQ(call(plain_of[promoted_tls], {"GET", "before"}), "$1\r\n1\r\n");
  // The follower moved too, and its clients' writes land on the new master.
  EXPECT_TRUE(wait_until([&] { return followed_port() == std::to_string(promoted_tls); }, 20s))
      << read_file(g.dir + "/follower.log");
  EXPECT_TRUE(wait_until(
      [&] {
        return call(follow_port, {"SET", "followed", "1"}) == "+OK\r\n";
      },
      10s));
  EXPECT_EQ(call(plain_of[promoted_tls], {"GET", "followed"}), "$1\r\n1\r\n");
  // The other replica follows the new master, over TLS.
  const int other = plain_of[promoted_tls == replica_tls[0] ? replica_tls[1] : replica_tls[0]];
  EXPECT_TRUE(wait_until(
      [&] { return g.role_of(other) == "slave of 127.0.0.1:" + std::to_string(promoted_tls); },
      30s));
  std::cout << "TLS group failed over to 127.0.0.1:" << promoted_tls << "\n";

  // A planned switchover (PROXY FAILOVER) with TLS on: a client's session, on one TLS
  // connection to the proxy (through a relay), keeps its connection and its state.
  TlsRelay relay(certs, client_tls, g.dir);
  TestConnection session(relay.port());
  FrameReader reader(session);
  session.send(resp({"SELECT", "3"}) + resp({"SET", "planned", "before"}));
  ASSERT_EQ(reader.frames(2).value_or("<none>"), "+OK\r\n+OK\r\n");
  const int last = plain_of[promoted_tls == replica_tls[0] ? replica_tls[1] : replica_tls[0]];
  ASSERT_TRUE(wait_until(
      [&] {
        auto r = call_value(last, {"ROLE"}, 500ms);
        return r && r->elements.size() >= 4 && r->elements[3].text == "connected";
      },
      30s));
  // ... and the sentinel inside sees it so (its INFO refresh): a replica it may promote.
  const std::string last_tls =
      std::to_string(promoted_tls == replica_tls[0] ? replica_tls[1] : replica_tls[0]);
  ASSERT_TRUE(wait_until(
      [&] {
        auto replicas = call_value(s0, {"SENTINEL", "REPLICAS", "mymaster"});
        if (!replicas) return false;
        for (const auto& r : replicas->elements) {
          if (field(r, "port") == last_tls && field(r, "flags") == "slave" &&
              field(r, "master-link-status") == "ok" &&
              field(r, "master-port") == std::to_string(promoted_tls)) {
            return true;
          }
        }
        return false;
      },
      30s));
  // A writer over TLS all through the switchover: each INCR answered, none refused, and
  // the new master's counter is the count acknowledged (none lost, none run twice).
  std::atomic<bool> stop{false};
  std::atomic<long long> acknowledged{0};
  std::string wrong;
  std::thread writer([&] {
    TestConnection conn(relay.port());
    FrameReader replies(conn);
    while (!stop) {
      conn.send(resp({"INCR", "counter"}));
      const auto reply = replies.frames(1, 20s);
      if (!reply || reply->empty() || (*reply)[0] != ':') {
        wrong = reply.value_or("<no reply>");
        return;
      }
      acknowledged = std::stoll(reply->substr(1));
    }
  });
  ASSERT_TRUE(wait_until([&] { return acknowledged > 20; }, 10s));
  const auto switchover = [&]() -> std::string {
    return redis_cli_tls(certs, client_tls, "PROXY FAILOVER");
  };
  const std::string asked = switchover();
  if (asked != "OK\n") {
    stop = true;
    writer.join();
    FAIL() << asked << read_file(g.conf(s0) + ".log");
  }
  const std::string planned_to =
      "127.0.0.1:" +
      std::to_string(promoted_tls == replica_tls[0] ? replica_tls[1] : replica_tls[0]);
  EXPECT_TRUE(wait_until([&] { return g.agreed_master_other_than(promoted) == planned_to; }, 30s))
      << read_file(g.conf(s0) + ".log");
  const long long at_switch = acknowledged;
  EXPECT_TRUE(wait_until([&] { return acknowledged > at_switch + 20 || !wrong.empty(); }, 20s));
  stop = true;
  writer.join();
  EXPECT_EQ(wrong, "");
  EXPECT_EQ(
      call(plain_of[std::stoi(planned_to.substr(planned_to.find(':') + 1))], {"GET", "counter"}),
      "$" + std::to_string(std::to_string(acknowledged.load()).size()) + "\r\n" +
          std::to_string(acknowledged.load()) + "\r\n");
  const std::string info = redis_cli_tls(certs, client_tls, "PROXY INFO");
  std::cout << "switchover over TLS: " << acknowledged << " INCRs acknowledged, commands_retried "
            << info_field(info, "commands_retried") << "\n";
  session.send(resp({"GET", "planned"}));
  EXPECT_EQ(reader.frames(1, 20s).value_or("<none>"), "$6\r\nbefore\r\n");
  session.send(resp({"SET", "planned", "after"}));
  EXPECT_EQ(reader.frames(1, 20s).value_or("<none>"), "+OK\r\n");
  EXPECT_FALSE(session.peer_closed());
  TestConnection check(last);
  FrameReader checked(check);
  check.send(resp({"SELECT", "3"}) + resp({"GET", "planned"}));
  EXPECT_EQ(checked.frames(2).value_or("<none>"), "+OK\r\n$5\r\nafter\r\n");

  // A renewed certificate, read on SIGHUP by the sentinel-proxy processes of both modes:
  // the sentinel TLS ports (and the proxy's client TLS port) serve it from then on.
  certs.renew_server("server-2");
  ::kill(g.sentinels[0]->pid(), SIGHUP);
  ::kill(g.sentinels[2]->pid(), SIGHUP);
  for (int port : {sentinel_tls[0], sentinel_tls[2], client_tls}) {
    EXPECT_TRUE(
        wait_until([&] { return served_subject(certs, port) == "subject=CN=server-2"; }, 10s))
        << "port " << port << ": " << served_subject(certs, port);
  }
  // A new client of the renewed drop-in sentinel is served.
  EXPECT_TRUE(
      wait_until([&] { return redis_cli_tls(certs, sentinel_tls[2], "PING") == "PONG\n"; }, 10s));
}

}  // namespace
}  // namespace sp::testing

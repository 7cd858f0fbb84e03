// The proxy's own commands and its client port held to Redis's rule (README.md, Security),
// each finding of the trust review replayed against real processes:
// - PROXY commands from a client the master would refuse: -NOAUTH, and PROXY FAILOVER from
//   a user the master would not let run FAILOVER: -NOPERM (the sentinel inside, a master
//   with requirepass and ACL users);
// - PROXY and its subcommands renamed or disabled with rename-command;
// - protected mode: a client from another host, in a network namespace the test makes,
//   gets Redis's DENIED text unless the master demands a password;
// - a 50 MB bulk before AUTH is refused with Redis's error, and the proxy does not buffer it.

#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/sentinel_io/proxy_client.h"
#include "tests/sentinel_io/sentinel_group.h"
#include "tests/support/processes.h"
#include "tests/support/redis_process.h"

namespace sp::testing {
namespace {

using Clock = std::chrono::steady_clock;

using Client = ProxyClient;

constexpr std::string_view kNoAuth = "-NOAUTH Authentication required.\r\n";

// A master with requirepass and a proxy with the sentinel inside in front of it (no
// replicas: a failover it is allowed to start fails with -NOGOODSLAVE, which proves the
// request reached the sentinel).
struct GuardedMaster {
  TempDir dir;
  RedisProcess master{{"--requirepass", "secret"}};
  int sentinel_port = free_loopback_port();
  int client_port = free_loopback_port();
  std::unique_ptr<ChildProcess> proxy;

  explicit GuardedMaster(const std::string& extra_config = "") {
    const std::string conf = dir.path + "/proxy.conf";
    std::ofstream(conf) << "port " << client_port << "\nsentinel-port " << sentinel_port
                        << "\nmetrics-port 0\nsentinel monitor mymaster 127.0.0.1 " << master.port()
                        << " 1\nsentinel auth-pass mymaster secret\n"
                        << extra_config;
    proxy = start_proxy_with_sentinel(conf, sentinel_port, client_port);
  }

  // The proxy found out that its master demands a password (it asks at start and once a
  // second).
  bool knows_the_master_demands_a_password() const {
    return wait_until(
        [&] {
          ProxyClient admin(client_port);
          admin.ask({"AUTH", "secret"});
          return info_field(admin.ask({"PROXY", "INFO"}), "master_auth") == "required";
        },
        10s);
  }
};

TEST(ProxySecurity, ProxyCommandsNeedWhatTheMasterWouldDemand) {
  GuardedMaster g;
  // Whether the master demands a password is known before the first client.
  ASSERT_TRUE(g.knows_the_master_demands_a_password());

  Client stranger(g.client_port);
  for (const std::vector<std::string>& command : {std::vector<std::string>{"PROXY", "INFO"},
                                                  {"PROXY", "TOPOLOGY"},
                                                  {"PROXY", "FAILOVER"},
                                                  {"PROXY", "FAILOVER", "HISTORY"},
                                                  {"PROXY", "HELP"},
                                                  {"PROXY", "CONFIG", "GET", "*"},
                                                  {"PROXY", "CONFIG", "SET", "timeout", "1"},
                                                  {"proxy", "failover", "127.0.0.1:1"}}) {
    EXPECT_EQ(stranger.ask(command), kNoAuth) << command[1];
  }
  EXPECT_EQ(stranger.ask({"PING"}), kNoAuth);  // the master's own answer, for comparison
  EXPECT_EQ(stranger.ask({"AUTH", "wrong"}).substr(0, 10), "-WRONGPASS");
  EXPECT_EQ(stranger.ask({"PROXY", "INFO"}), kNoAuth);

  // AUTH pipelined with the PROXY command: answered as Redis would, AUTH first.
  TestConnection pipelined(g.client_port);
  FrameReader reader(pipelined);
  pipelined.send(resp({"AUTH", "secret"}) + resp({"PROXY", "TOPOLOGY"}));
  const std::string replies = reader.frames(2).value_or("<none>");
  EXPECT_TRUE(replies.starts_with("+OK\r\n*8\r\n$5\r\ngroup\r\n")) << replies;

  // An authenticated user may read; only one the master lets run FAILOVER may fail over.
  Client admin(g.client_port);
  ASSERT_EQ(admin.ask({"AUTH", "secret"}), "+OK\r\n");
  ASSERT_EQ(admin.ask({"ACL", "SETUSER", "reader", "on", ">pw", "+@all", "-failover"}), "+OK\r\n");
  Client reader_user(g.client_port);
  ASSERT_EQ(reader_user.ask({"AUTH", "reader", "pw"}), "+OK\r\n");
  EXPECT_TRUE(reader_user.ask({"PROXY", "INFO"}).starts_with("$"));
  EXPECT_EQ(reader_user.ask({"PROXY", "FAILOVER"}),
            "-NOPERM this user has no permissions to run the 'proxy|failover' command\r\n");
  // CONFIG is an admin command, as FAILOVER is: GET shows the set-up, SET changes it.
  EXPECT_EQ(reader_user.ask({"PROXY", "CONFIG", "SET", "timeout", "1"}),
            "-NOPERM this user has no permissions to run the 'proxy|config' command\r\n");
  EXPECT_EQ(reader_user.ask({"PROXY", "CONFIG", "GET", "maxclients"}),
            "-NOPERM this user has no permissions to run the 'proxy|config' command\r\n");
  EXPECT_EQ(admin.ask({"PROXY", "CONFIG", "GET", "timeout"}), "*2\r\n$7\r\ntimeout\r\n$1\r\n0\r\n");
  EXPECT_EQ(admin.ask({"PROXY", "FAILOVER"}), "-NOGOODSLAVE No suitable replica to promote\r\n");
  // The sentinel answers on its own thread, the replies still leave in request order.
  TestConnection pipelining(g.client_port);
  FrameReader in_order(pipelining);
  pipelining.send(resp({"AUTH", "secret"}) + resp({"PROXY", "FAILOVER"}) + resp({"PING"}) +
                  resp({"PROXY", "FAILOVER", "10.0.0.1:1"}) + resp({"ECHO", "last"}));
  EXPECT_EQ(in_order.frames(5).value_or("<none>"),
            "+OK\r\n-NOGOODSLAVE No suitable replica to promote\r\n+PONG\r\n"
            "-ERR No such replica of this master\r\n$4\r\nlast\r\n");
  // Inside a transaction the master cannot be asked: refused as Redis refuses FAILOVER.
  EXPECT_EQ(admin.ask({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(admin.ask({"PROXY", "FAILOVER"}), "-ERR Command not allowed inside a transaction\r\n");
  EXPECT_EQ(admin.ask({"DISCARD"}), "+OK\r\n");

  const std::string info = admin.ask({"PROXY", "INFO"});
  EXPECT_GE(std::stoi("0" + info_field(info, "proxy_commands_refused")), 9) << info;
  // The group was never failed over.
  EXPECT_EQ(admin.ask({"ROLE"}).substr(0, 13), "*3\r\n$6\r\nmaste");
}

// The proxy's file is rewritten by PROXY CONFIG REWRITE and by the sentinel inside: each
// keeps the other's lines, and no value a client sets can add a line of its own.
TEST(ProxySecurity, ConfigRewriteAndTheSentinelsRewriteShareTheFile) {
  GuardedMaster g;
  Client admin(g.client_port);
  ASSERT_EQ(admin.ask({"AUTH", "secret"}), "+OK\r\n");
  ASSERT_EQ(admin.ask({"PROXY", "CONFIG", "SET", "maxclients", "321"}), "+OK\r\n");
  EXPECT_TRUE(admin
                  .ask({"PROXY", "CONFIG", "SET", "client-output-buffer-limit",
                        "normal 1 2 3\nsentinel monitor evil 10.0.0.9 6379 1"})
                  .starts_with("-ERR CONFIG SET failed (possibly related to argument "
                               "'client-output-buffer-limit')"));
  ASSERT_EQ(admin.ask({"PROXY", "CONFIG", "REWRITE"}), "+OK\r\n");
  const std::string conf = g.dir.path + "/proxy.conf";
  std::string text = read_file(conf);
  EXPECT_NE(text.find("\nmaxclients 321\n"), std::string::npos) << text;
  EXPECT_NE(text.find("sentinel monitor mymaster 127.0.0.1"), std::string::npos) << text;
  EXPECT_EQ(text.find("evil"), std::string::npos) << text;
  // The sentinel saves its state into the same file and keeps the proxy's line.
  ASSERT_EQ(
      call(g.sentinel_port, {"SENTINEL", "SET", "mymaster", "down-after-milliseconds", "6000"}),
      "+OK\r\n");
  EXPECT_TRUE(wait_until(
      [&] {
        text = read_file(conf);
        return text.find("down-after-milliseconds mymaster 6000") != std::string::npos;
      },
      10s))
      << text;
  EXPECT_NE(text.find("\nmaxclients 321\n"), std::string::npos) << text;
}

TEST(ProxySecurity, RenamedAndDisabledProxyCommands) {
  RedisProcess redis;
  TempDir dir;
  const int port = free_loopback_port();
  const std::string conf = dir.path + "/proxy.conf";
  std::ofstream(conf) << "port " << port << "\nupstream 127.0.0.1 " << redis.port()
                      << "\nmetrics-port 0\nrename-command proxy|failover \"\"\n"
                      << "rename-command PROXY|INFO stats\n";
  ChildProcess proxy({SP_SENTINEL_PROXY_BINARY, conf}, conf + ".log");
  ASSERT_TRUE(wait_until([&] { return !call(port, {"PING"}, 300ms).empty(); }, 10s));
  EXPECT_EQ(call(port, {"PROXY", "FAILOVER"}),
            "-ERR unknown subcommand 'FAILOVER'. Try PROXY HELP.\r\n");
  EXPECT_EQ(call(port, {"PROXY", "INFO"}), "-ERR unknown subcommand 'INFO'. Try PROXY HELP.\r\n");
  EXPECT_TRUE(call(port, {"PROXY", "stats"}).starts_with("$")) << call(port, {"PROXY", "stats"});
  EXPECT_TRUE(call(port, {"PROXY", "TOPOLOGY"}).starts_with("*8\r\n"));
  // A name with a line break is quoted back without it, as redis-server quotes one
  // ("unknown subcommand 'a  b'. Try CLIENT HELP."): it cannot pass for a second reply.
  EXPECT_EQ(call(port, {"PROXY", "a\r\nb"}), "-ERR unknown subcommand 'a  b'. Try PROXY HELP.\r\n");
  EXPECT_EQ(call(redis.port(), {"CLIENT", "a\r\nb"}),
            "-ERR unknown subcommand 'a  b'. Try CLIENT HELP.\r\n");

  // PROXY itself disabled: the name is the master's business again, as for any command.
  const int bare_port = free_loopback_port();
  const std::string bare_conf = dir.path + "/bare.conf";
  std::ofstream(bare_conf) << "port " << bare_port << "\nupstream 127.0.0.1 " << redis.port()
                           << "\nmetrics-port 0\nrename-command PROXY \"\"\n";
  ChildProcess bare({SP_SENTINEL_PROXY_BINARY, bare_conf}, bare_conf + ".log");
  ASSERT_TRUE(wait_until([&] { return !call(bare_port, {"PING"}, 300ms).empty(); }, 10s));
  EXPECT_EQ(call(bare_port, {"PROXY", "INFO"}), call(redis.port(), {"PROXY", "INFO"}));

  // A name that is none is refused at start-up, with the reason.
  const std::string bad_conf = dir.path + "/bad.conf";
  std::ofstream(bad_conf) << "rename-command proxy|nothing x\n";
  const std::string check = std::string(SP_SENTINEL_PROXY_BINARY) + " --test-config " + bad_conf +
                            " > " + dir.path + "/check.out 2>&1";
  EXPECT_NE(std::system(check.c_str()), 0);
}

// A network namespace of the test's own with 192.0.2.1 (TEST-NET-1) on its loopback
// device: a client connecting from that address is, to a server in the namespace, a client
// from another host. Removed, with whatever runs in it, when this goes away.
struct TestHostNamespace {
  std::string name = "sp-test-" + std::to_string(::getpid());
  bool ready = false;
  TestHostNamespace() {
    const std::string setup = "ip netns add " + name + " && ip netns exec " + name +
                              " ip link set lo up && ip netns exec " + name +
                              " ip addr add 192.0.2.1/32 dev lo";
    ready = std::system((setup + " 2>/dev/null").c_str()) == 0;
  }
  ~TestHostNamespace() { std::system(("ip netns del " + name + " 2>/dev/null").c_str()); }
  std::vector<std::string> exec(std::vector<std::string> argv) const {
    argv.insert(argv.begin(), {"ip", "netns", "exec", name});
    return argv;
  }
  // One command with redis-cli from inside the namespace; its raw output.
  std::string cli(const std::string& host, int port, const std::string& command) const {
    const std::string line = "ip netns exec " + name + " timeout 5 redis-cli --no-raw -h " + host +
                             " -p " + std::to_string(port) + " " + command + " 2>&1";
    std::string out;
    if (FILE* pipe = ::popen(line.c_str(), "r")) {
      char buffer[4096];
      while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
      ::pclose(pipe);
    }
    return out;
  }
};

TEST(ProxySecurity, ProtectedModeRefusesOtherHostsWhileTheMasterDemandsNoPassword) {
  TestHostNamespace ns;
  if (!ns.ready) GTEST_SKIP() << "no network namespaces here (needs root and iproute2)";
  TempDir dir;
  // A fresh namespace has every port free: fixed ports cannot collide with anything.
  ChildProcess open_master(ns.exec({"redis-server", "--port", "7001", "--bind", "127.0.0.1",
                                    "--save", "", "--dir", dir.path}),
                           dir.path + "/open.log");
  ChildProcess guarded_master(ns.exec({"redis-server", "--port", "7002", "--bind", "127.0.0.1",
                                       "--save", "", "--dir", dir.path, "--requirepass", "secret"}),
                              dir.path + "/guarded.log");
  const auto start_proxy = [&](int port, int upstream, const std::string& extra) {
    const std::string conf = dir.path + "/proxy-" + std::to_string(port) + ".conf";
    std::ofstream(conf) << "port " << port << "\nbind 127.0.0.1 192.0.2.1\nupstream 127.0.0.1 "
                        << upstream << "\nmetrics-port 0\n"
                        << extra;
    return std::make_unique<ChildProcess>(ns.exec({SP_SENTINEL_PROXY_BINARY, conf}), conf + ".log");
  };
  auto protected_proxy = start_proxy(8001, 7001, "");
  auto unprotected_proxy = start_proxy(8002, 7001, "protected-mode no\n");
  auto guarded_proxy = start_proxy(8003, 7002, "");
  // Up, and each has found out whether its master demands a password (the masters start
  // beside the proxies, so a proxy may first find its master unreachable).
  const auto master_auth = [&](int port, const std::string& auth) {
    return info_field(ns.cli("127.0.0.1", port, auth + "PROXY INFO"), "master_auth");
  };
  ASSERT_TRUE(wait_until(
      [&] {
        return master_auth(8001, "") == "not-required" && master_auth(8002, "") == "not-required" &&
               master_auth(8003, "-a secret --no-auth-warning ") == "required";
      },
      10s));

  // redis-server itself, for the text.
  ChildProcess reference(ns.exec({"redis-server", "--port", "7003", "--bind", "192.0.2.1", "--save",
                                  "", "--dir", dir.path}),
                         dir.path + "/reference.log");
  std::string denied;
  ASSERT_TRUE(wait_until(
      [&] {
        denied = ns.cli("192.0.2.1", 7003, "PING");
        return denied.find("DENIED Redis is running in protected mode") != std::string::npos;
      },
      10s));

  EXPECT_EQ(ns.cli("192.0.2.1", 8001, "PING"), denied);    // from another host
  EXPECT_EQ(ns.cli("127.0.0.1", 8001, "PING"), "PONG\n");  // from this one
  EXPECT_EQ(ns.cli("192.0.2.1", 8002, "PING"), "PONG\n");  // protected-mode no
  EXPECT_NE(ns.cli("192.0.2.1", 8003, "PING").find("NOAUTH"), std::string::npos)
      << "a master with a password protects itself";
  EXPECT_EQ(ns.cli("192.0.2.1", 8003, "-a secret --no-auth-warning PING"), "PONG\n");
  EXPECT_EQ(info_field(ns.cli("127.0.0.1", 8001, "PROXY INFO"), "protected_mode_denied"), "1");
}

TEST(ProxySecurity, NoLargeRequestBeforeAuthentication) {
  GuardedMaster g;
  ASSERT_TRUE(g.knows_the_master_demands_a_password());
  const long before = resident_bytes(g.proxy->pid());
  const std::string refused = send_large_bulk(g.client_port);
  EXPECT_EQ(refused, "-ERR Protocol error: unauthenticated bulk length\r\n");
  const long after = resident_bytes(g.proxy->pid());
  EXPECT_LT(after - before, 8L * 1024 * 1024) << before << " -> " << after;

  // An AUTH pipelined ahead of a large command: Redis runs the AUTH first, and so the
  // large command is taken.
  TestConnection pipelined(g.client_port);
  FrameReader reader(pipelined);
  pipelined.send(resp({"AUTH", "secret"}) + resp({"SET", "big", std::string(100000, 'b')}) +
                 resp({"STRLEN", "big"}));
  EXPECT_EQ(reader.frames(3).value_or("<none>"), "+OK\r\n+OK\r\n:100000\r\n");
  // Eleven arguments before AUTH: Redis's refusal.
  TestConnection many(g.client_port);
  many.send("*11\r\n");
  EXPECT_EQ(many.read_until_closed(10s),
            "-ERR Protocol error: unauthenticated multibulk length\r\n");
}

// A session that had not authenticated when it attached could not check ROLE (-NOAUTH):
// the check is made right behind its AUTH, and nothing of the client's goes to a master
// that is none.
TEST(ProxySecurity, ARoleCheckRefusedForLackOfAuthIsMadeAfterAuth) {
  GuardedMaster g;
  RedisProcess elsewhere;
  Client admin(g.client_port);
  ASSERT_EQ(admin.ask({"AUTH", "secret"}), "+OK\r\n");
  ASSERT_EQ(admin.ask({"SET", "k", "before"}), "+OK\r\n");

  TestConnection stranger(g.client_port);  // attached to the master while it was one
  FrameReader reader(stranger);
  // Its session attached at once, and its ROLE check met -NOAUTH.
  ASSERT_TRUE(wait_until(
      [&] {
        return admin.ask({"CLIENT", "LIST"}).find("cmd=role") != std::string::npos;
      },
      5s));
  // Now it is no master any more (an operator's REPLICAOF the sentinel has not seen yet).
  TestConnection direct(g.master.port());
  direct.send(resp({"AUTH", "secret"}) +
              resp({"REPLICAOF", "127.0.0.1", std::to_string(elsewhere.port())}));
  ASSERT_EQ(direct.read_until_suffix("+OK\r\n+OK\r\n", 5s), "+OK\r\n+OK\r\n");

  stranger.send(resp({"AUTH", "secret"}) + resp({"SET", "k", "after"}));
  EXPECT_EQ(reader.until_closed(5s).value_or("<still open>"), "+OK\r\n");
}

}  // namespace
}  // namespace sp::testing

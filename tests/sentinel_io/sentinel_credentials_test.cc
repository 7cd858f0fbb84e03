// A sentinel whose password for the master is wrong, or became obsolete, beside a real
// redis-sentinel 7.0 watching the same master: both drop their links (`disconnected` in
// SENTINEL MASTER's flags), find the master down, and connect again once SENTINEL SET gives
// them the right password.
#include <gtest/gtest.h>

#include <fstream>

#include "protocol/value.h"
#include "tests/sentinel_io/sentinel_group.h"
#include "tests/support/processes.h"
#include "tests/support/redis_process.h"

namespace sp::testing {
namespace {

// `args` on a fresh connection that authenticates with `password` first: both replies
// (what came within 5 s, if not both).
std::string call_authed(int port, const std::string& password,
                        const std::vector<std::string>& args) {
  TestConnection conn(port);
  FrameReader reader(conn);
  conn.send(resp({"AUTH", password}) + resp(args));
  return reader.frames(2, 5s).value_or(reader.buffered());
}

struct Watched {
  TempDir dir;
  int master_port = free_loopback_port();
  int real_port = free_loopback_port();
  int ours_port = free_loopback_port();
  std::unique_ptr<ChildProcess> master, real, ours;

  Watched() {
    master = start_redis_on(master_port, dir.path);
    EXPECT_EQ(call(master_port, {"CONFIG", "SET", "requirepass", "pw1"}), "+OK\r\n");
    for (int port : {real_port, ours_port}) {
      std::ofstream(conf(port)) << "port " << port << "\n"
                                << "sentinel monitor mymaster 127.0.0.1 " << master_port << " 2\n"
                                << "sentinel down-after-milliseconds mymaster 2000\n"
                                << "sentinel auth-pass mymaster pw1\n";
    }
    real = start_redis_sentinel(conf(real_port), real_port);
    ours = start_sentinel_proxy(conf(ours_port), ours_port);
  }
  std::string conf(int port) const {
    return dir.path + "/sentinel-" + std::to_string(port) + ".conf";
  }

  std::string flags(int port) const {
    auto m = call_value(port, {"SENTINEL", "MASTER", "mymaster"});
    return m ? field(*m, "flags") : "";
  }
  // Both sentinels' flags come to `want` within `deadline`.
  void expect_both(const std::string& want, std::chrono::milliseconds deadline,
                   const std::string& when) const {
    for (int port : {real_port, ours_port}) {
      const char* who = port == real_port ? "redis-sentinel" : "sentinel-proxy";
      EXPECT_TRUE(wait_until([&] { return flags(port) == want; }, deadline))
          << who << " " << when << ": flags '" << flags(port) << "', expected '" << want << "'";
    }
  }
  void set_auth_pass(const std::string& pass) const {
    for (int port : {real_port, ours_port}) {
      EXPECT_EQ(call(port, {"SENTINEL", "SET", "mymaster", "auth-pass", pass}), "+OK\r\n");
    }
  }
};

TEST(SentinelCredentials, AnObsoletePasswordDropsTheLinksUntilTheRightOneIsSet) {
  Watched w;
  w.expect_both("master", 5s, "with the right password");
  // The master's password changes under the sentinels, and their connections go: each
  // reconnects with a password that no longer works.
  EXPECT_NE(call_authed(w.master_port, "pw1", {"CONFIG", "SET", "requirepass", "pw2"}), "");
  EXPECT_NE(call_authed(w.master_port, "pw2", {"CLIENT", "KILL", "TYPE", "normal"}), "");
  EXPECT_NE(call_authed(w.master_port, "pw2", {"CLIENT", "KILL", "TYPE", "pubsub"}), "");
  w.expect_both("master,disconnected", 3s, "after the password changed");
  // No valid PING reply either: SDOWN after down-after-milliseconds, and with both
  // agreeing, ODOWN (there is no replica to fail over to).
  for (int port : {w.real_port, w.ours_port}) {
    EXPECT_TRUE(wait_until([&] { return w.flags(port).find("s_down") != std::string::npos; }, 8s))
        << port << ": " << w.flags(port);
    // Each reconnection shows the link up until its AUTH is refused (in redis-sentinel as
    // in ours), so "disconnected" is looked for over a while, not at one instant.
    EXPECT_TRUE(
        wait_until([&] { return w.flags(port).find("disconnected") != std::string::npos; }, 3s))
        << port << ": " << w.flags(port);
  }
  w.set_auth_pass("pw2");
  w.expect_both("master", 5s, "once given the new password");
}

TEST(SentinelCredentials, AWrongPasswordSetAtRunTimeDropsTheLinks) {
  Watched w;
  w.expect_both("master", 5s, "with the right password");
  w.set_auth_pass("wrong");
  w.expect_both("master,disconnected", 3s, "after SENTINEL SET auth-pass wrong");
  w.set_auth_pass("pw1");
  w.expect_both("master", 5s, "once given the right password again");
  // The event does not show the password, in either.
  for (int port : {w.real_port, w.ours_port}) {
    const std::string log = read_file(w.conf(port) + ".log");
    EXPECT_EQ(log.find("auth-pass wrong"), std::string::npos) << port;
    EXPECT_NE(log.find("auth-pass ******"), std::string::npos) << port;
  }
}

// The flags a sentinel on `port` (password "sp") gives its one peer, "" if none.
std::string peer_flags(int port) {
  const std::string reply =
      call_authed(port, "sp", {"SENTINEL", "SENTINELS", "mymaster"}).substr(5);  // after +OK
  const auto peers = protocol::decode_value(reply);
  return peers && peers->elements.size() == 1 ? field(peers->elements[0], "flags") : "";
}

// Sentinels that require a password of each other: one given a wrong sentinel-pass at run
// time drops its links to its peers and reconnects with it; the peer, no longer answering
// its PINGs, is down to it until the right password is set again.
TEST(SentinelCredentials, AWrongSentinelPassMakesPeersLookDown) {
  TempDir dir;
  const int master_port = free_loopback_port();
  auto master = start_redis_on(master_port, dir.path);
  const int real_port = free_loopback_port(), ours_port = free_loopback_port();
  auto conf = [&](int port) { return dir.path + "/sentinel-" + std::to_string(port) + ".conf"; };
  for (int port : {real_port, ours_port}) {
    std::ofstream(conf(port)) << "port " << port << "\nrequirepass sp\nsentinel sentinel-pass sp\n"
                              << "sentinel monitor mymaster 127.0.0.1 " << master_port << " 2\n"
                              << "sentinel down-after-milliseconds mymaster 2000\n";
  }
  auto real = start_redis_sentinel(conf(real_port), real_port);
  auto ours = start_sentinel_proxy(conf(ours_port), ours_port);
  auto both_see = [&](const std::string& want, std::chrono::milliseconds deadline,
                      const std::string& when) {
    for (int port : {real_port, ours_port}) {
      EXPECT_TRUE(wait_until([&] { return peer_flags(port) == want; }, deadline))
          << (port == real_port ? "redis-sentinel" : "sentinel-proxy") << " " << when
          << ": its peer's flags '" << peer_flags(port) << "', expected '" << want << "'";
    }
  };
  both_see("sentinel", 15s, "once the hellos went round");
  auto set_pass = [&](const std::string& pass) {
    for (int port : {real_port, ours_port}) {
      EXPECT_EQ(call_authed(port, "sp", {"SENTINEL", "CONFIG", "SET", "sentinel-pass", pass}),
                "+OK\r\n+OK\r\n");
    }
  };
  set_pass("wrong");
  both_see("s_down,sentinel", 8s, "with a wrong sentinel-pass");
  set_pass("sp");
  both_see("sentinel", 5s, "with the right sentinel-pass again");
}

}  // namespace
}  // namespace sp::testing

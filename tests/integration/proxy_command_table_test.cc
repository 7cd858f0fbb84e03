// Every command of redis-server 7.0's table (and every subcommand of its containers) is
// sent, bare and with the fewest arguments its arity allows, to one redis-server directly
// and through a sentinel-proxy to a second one started the same way, in the same order, so
// both hold the same state. Each goes on a fresh connection in RESP2 and in RESP3; the
// replies must be the same bytes, except for the commands whose replies differ between two
// servers by nature (clocks, ids, memory), where the reply's type must match.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "protocol/command_table.h"
#include "tests/integration/proxy_harness.h"

namespace sp::testing {
namespace {

// Replies that differ between two servers, or between two runs of one.
const std::set<std::string> kNondeterministic = {
    "time",
    "info",
    "lastsave",
    "client id",
    "client list",
    "client info",
    "hello",
    "memory stats",
    "memory doctor",
    "memory usage",
    "memory malloc-stats",
    "latency doctor",
    "lolwut",
    "slowlog get",
    // Counts commands that took over 10 ms: on a busy machine one server has some the
    // other has not ("slowlog len (RESP3): :2 vs :1" under two CPU hogs).
    "slowlog len",
    "object freq",
    "object idletime",
    "randomkey",
    "acl log",
    "acl genpass",
    "command docs",
    "command",
    "command info",
    "command list",
    "srandmember",
    "spop",
    "hrandfield",
    "zrandmember",
    "client getredir",
    "bgsave",
    "bgrewriteaof",
    "save",
    "role",
    "failover",
    "latency latest",
    "latency histogram",
    "config get",
    "client trackinginfo",
    "module list",
    "acl list",
    "acl getuser",
    "cluster info",
    "pubsub channels",
};

// Commands this test cannot send as it sends the others: they end the server, or turn
// the connection into a replication stream (proxy_reply_corpus_test covers that).
const std::set<std::string> kNotSent = {"shutdown", "sync", "psync"};

struct Case {
  std::string key;  // "name" or "container sub", lower case
  std::vector<std::string> args;
};

std::vector<Case> generated_cases() {
  std::vector<Case> cases;
  const auto add = [&](const std::string& key, std::vector<std::string> base, int arity) {
    if (kNotSent.contains(key)) return;
    cases.push_back({key, base});
    const std::size_t wanted = static_cast<std::size_t>(arity < 0 ? -arity : arity);
    while (base.size() < wanted) base.push_back("x");
    if (base.size() > cases.back().args.size()) cases.push_back({key, base});
  };
  for (const auto& command : protocol::all_commands()) {
    const std::string name(command.name);
    if (kNotSent.contains(name)) continue;
    add(name, {name}, command.arity);
    for (const auto& sub : command.subcommands) {
      const std::string sub_name(sub.name.substr(sub.name.find('|') + 1));
      add(name + " " + sub_name, {name, sub_name}, sub.arity);
    }
  }
  return cases;
}

// The reply to `hello` (if any) then `args` on a fresh connection to `port`: the last
// frame, or "" when none came (a command that blocks or closes without a reply).
// The reply to `args` on a new connection, or "" when none came within `deadline` (a
// blocking command).
std::string ask_fresh(int port, const std::string& hello, const std::vector<std::string>& args,
                      std::chrono::milliseconds deadline = 2s) {
  TestConnection conn(port);
  FrameReader reader(conn);
  conn.send(hello + resp(args));
  if (!hello.empty() && !reader.frames(1, deadline)) return "";  // HELLO's reply
  return reader.frames(1, deadline).value_or("");
}

// A server's BGSAVE or BGREWRITEAOF child is done: another one started while it runs gets
// "-ERR Another child process is active" (on a busy machine the first one takes a while).
bool no_child_running(int port) {
  return wait_until(
      [&] {
        const std::string info = call(port, {"INFO", "persistence"});
        return info_field(info, "rdb_bgsave_in_progress") == "0" &&
               info_field(info, "aof_rewrite_in_progress") == "0";
      },
      20s);
}

// Every case, with each of `protocols` ("" sends no HELLO: RESP2 as a client starts),
// directly (`direct_port`) and through `proxy` (to `behind_port`).
void compare_every_command(int direct_port, int behind_port, ProxyProcess& proxy,
                           const std::vector<std::string>& protocols) {
  const auto cases = generated_cases();
  ASSERT_GT(cases.size(), 400u);
  int compared = 0, typed_only = 0, silent = 0;
  std::string mismatches;
  for (const std::string& proto : protocols) {
    const std::string hello = proto.empty() ? "" : resp({"HELLO", proto});
    for (const Case& c : cases) {
      if (c.key.starts_with("bgsave") || c.key.starts_with("bgrewriteaof")) {
        ASSERT_TRUE(no_child_running(direct_port) && no_child_running(behind_port)) << c.key;
      }
      std::string want = ask_fresh(direct_port, hello, c.args);
      // Once the server answered, the proxy must too: a slow command (PFSELFTEST on a busy
      // machine) gets more than the 2 s that tell a blocking command.
      const std::string got = ask_fresh(proxy.port(), hello, c.args, want.empty() ? 2s : 15s);
      if (want.empty() && !got.empty()) want = ask_fresh(direct_port, hello, c.args, 15s);
      if (want.empty()) {
        // No reply directly within the deadline: through the proxy neither.
        ++silent;
        if (!got.empty()) mismatches += c.key + ": only the proxy answered\n";
        continue;
      }
      if (kNondeterministic.contains(c.key) ||
          kNondeterministic.contains(c.key.substr(0, c.key.find(' ')))) {
        ++typed_only;
        if (got.empty() ||
            got.substr(0, got.find('\r')).front() != want.substr(0, want.find('\r')).front()) {
          mismatches += c.key + " (RESP" + proto + "): " + want.substr(0, 80) + " vs " +
                        got.substr(0, 80) + "\n";
        }
        continue;
      }
      ++compared;
      if (got != want) {
        mismatches += c.key + " (RESP" + proto + "): " + want.substr(0, 200) + " vs " +
                      got.substr(0, 200) + "\n";
      }
    }
  }
  std::printf("%d replies compared byte for byte, %d by type, %d without a reply\n", compared,
              typed_only, silent);
  EXPECT_EQ(mismatches, "") << proxy.log();
  EXPECT_GT(compared, 700);
}

TEST(CommandTable, EveryCommandAnswersThroughTheProxyAsDirectly) {
  RedisProcess direct_server, behind_server;
  ProxyProcess proxy(behind_server.port());
  compare_every_command(direct_server.port(), behind_server.port(), proxy, {"2", "3"});
}

// Pooled mode: without HELLO, every command that does not pin goes over a shared
// connection, one client after another on the same one, so a command answered with no
// reply or with two would shift every later case's reply.
TEST(CommandTable, EveryCommandAnswersThroughThePooledModeAsDirectly) {
  RedisProcess direct_server, behind_server;
  ProxyProcess proxy(behind_server.port(), {"--backend-pool-size", "1"});
  compare_every_command(direct_server.port(), behind_server.port(), proxy, {"", "3"});
}

}  // namespace
}  // namespace sp::testing

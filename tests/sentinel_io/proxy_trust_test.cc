// Hellos are unauthenticated: any client of a monitored master can PUBLISH one, and any
// client of the sentinel port can send one. Three sentinel-proxy processes in proxy mode
// get forged hellos, and their clients must not notice: an epoch of 2^64-1 (which would
// wrap at the next failover and leave the new master refused) does not freeze routing, and
// sentinels that never answer do not fence writes (fence-on-minority). A hostile pattern
// subscription on the sentinel ports does not slow the failover either.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/sentinel_io/proxy_client.h"
#include "tests/sentinel_io/redis_group.h"
#include "tests/sentinel_io/sentinel_group.h"
#include "tests/support/processes.h"
#include "tests/support/redis_process.h"

namespace sp::testing {
namespace {

const std::string kHelloChannel = "__sentinel__:hello";

std::string forged_hello(int sentinel_port, const std::string& id, const std::string& epoch,
                         int master_port, const std::string& config_epoch) {
  return "127.0.0.1," + std::to_string(sentinel_port) + "," + id + "," + epoch + ",mymaster," +
         "127.0.0.1," + std::to_string(master_port) + "," + config_epoch;
}

// Published where a hostile client can: on the master (its subscribers, the sentinels,
// get it) and straight to every sentinel port.
void publish_everywhere(const RedisGroup& g, const std::string& payload) {
  call(g.master_port, {"PUBLISH", kHelloChannel, payload});
  for (int port : g.sentinel_ports) call(port, {"PUBLISH", kHelloChannel, payload});
}

std::string routed_port(int client_port) {
  auto t = call_value(client_port, {"PROXY", "TOPOLOGY"});
  return t ? field(*t, "master-port") : "";
}

TEST(ProxyTrust, ForgedHellosAndAHostilePatternCannotFreezeRouting) {
  RedisGroup g({false, false, false}, /*start_sentinels=*/false);
  const std::vector<int> client_ports = g.start_proxies();
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s));
  const int proxy = client_ports[0];
  ProxyClient client(proxy);
  ASSERT_EQ(client.ask({"SET", "before", "1"}), "+OK\r\n");

  const std::string max = "18446744073709551615";
  publish_everywhere(
      g, forged_hello(free_loopback_port(), "abcdefabcdefabcdefabcdefabcdefabcdefabcd", max,
                      g.master_port, max));
  publish_everywhere(
      g, forged_hello(free_loopback_port(), "abcdefabcdefabcdefabcdefabcdefabcdef0001", max,
                      g.master_port, "0"));
  // In range, but a config epoch above the sender's current epoch: taken, it would put
  // every sentinel's config epoch above the next failover's, which they then ignore.
  publish_everywhere(
      g, forged_hello(free_loopback_port(), "abcdefabcdefabcdefabcdefabcdefabcdef0002", "0",
                      g.master_port, "9223372036854775807"));
  std::this_thread::sleep_for(500ms);
  for (int port : g.sentinel_ports) {
    auto m = g.master_fields(port);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(field(*m, "config-epoch"), "0") << "sentinel " << port;
    EXPECT_EQ(field(*m, "num-other-sentinels"), "2") << "a forged sentinel was learned";
  }

  // A pattern subscription of CVE-2022-36021's shape on every sentinel port, matched
  // against each event's channel: exponential, it slowed a failover to ~46 s, past the
  // hold (failover-timeout, 10 s) the write below is allowed.
  std::string hostile_pattern;
  for (int i = 0; i < 13; ++i) hostile_pattern += "*?";
  hostile_pattern += "x";
  std::vector<std::unique_ptr<TestConnection>> subscribers;
  for (int port : g.sentinel_ports) {
    subscribers.push_back(std::make_unique<TestConnection>(port));
    subscribers.back()->send(resp({"PSUBSCRIBE", hostile_pattern}));
    EXPECT_TRUE(subscribers.back()->read_until_suffix(":1\r\n", 5s).ends_with(":1\r\n"));
  }

  g.master->kill();
  ASSERT_TRUE(wait_until([&] { return client.link_status() == "down"; }, 5s));
  client.send({"SET", "after", "2"});
  EXPECT_EQ(client.reply(40s).value_or("<no reply: clients are held>"), "+OK\r\n");
  std::string new_port;
  ASSERT_TRUE(wait_until(
      [&] {
        new_port = routed_port(proxy);
        return !new_port.empty() && new_port != std::to_string(g.master_port);
      },
      30s));
  auto on_new = call_value(std::stoi(new_port), {"GET", "after"});
  ASSERT_TRUE(on_new.has_value());
  EXPECT_EQ(on_new->text, "2") << "the write did not land on the new master";
  // Every proxy follows, the ones whose sentinel did not lead the failover too.
  for (int other : client_ports) {
    EXPECT_TRUE(wait_until([&] { return routed_port(other) == new_port; }, 20s))
        << "proxy " << other << " routes to " << routed_port(other);
    EXPECT_EQ(call(other, {"SET", "via", std::to_string(other)}, 10s), "+OK\r\n");
  }
  // The failover ran at a small epoch, not at one that wrapped.
  auto m = g.master_fields(g.sentinel_ports[0]);
  ASSERT_TRUE(m.has_value());
  EXPECT_NE(field(*m, "config-epoch"), "0");
  EXPECT_LT(std::stoull(field(*m, "config-epoch")), 100u);
}

TEST(ProxyTrust, SentinelsNamedOnlyByForgedHellosDoNotFenceWrites) {
  RedisGroup g({false, false, false}, /*start_sentinels=*/false);
  const std::vector<int> client_ports = g.start_proxies("fence-on-minority yes\n");
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s));
  const int proxy = client_ports[0];
  ASSERT_EQ(call(proxy, {"SET", "k", "before"}), "+OK\r\n");

  // Three sentinels that do not exist (nothing listens on their ports): counted, they
  // would make the three real ones 3 of 6, not a majority.
  const std::vector<std::string> ids = {"f00dfeed00000000000000000000000000000001",
                                        "f00dfeed00000000000000000000000000000002",
                                        "f00dfeed00000000000000000000000000000003"};
  for (const std::string& id : ids) {
    publish_everywhere(g, forged_hello(free_loopback_port(), id, "0", g.master_port, "0"));
  }
  ASSERT_TRUE(wait_until(
      [&] {
        auto m = g.master_fields(g.sentinel_ports[0]);
        return m && field(*m, "num-other-sentinels") == "5";
      },
      5s))
      << "the forged sentinels were not learned: the test shows nothing";
  // Past down-after-milliseconds (1000), when the forged ones are SDOWN: writes still go.
  const auto until = std::chrono::steady_clock::now() + 3s;
  int writes = 0;
  while (std::chrono::steady_clock::now() < until) {
    ASSERT_EQ(call(proxy, {"SET", "k", std::to_string(writes)}), "+OK\r\n")
        << "after " << writes << " writes";
    EXPECT_EQ(info_field(call(proxy, {"PROXY", "INFO"}), "writes_fenced"), "0");
    ++writes;
    std::this_thread::sleep_for(100ms);
  }
  auto stored = call_value(g.master_port, {"GET", "k"});
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->text, std::to_string(writes - 1));

  // Nor after a restart: they never answered, so they were not written to the file.
  const std::string conf = g.conf(g.sentinel_ports[0]);
  EXPECT_EQ(read_file(conf).find("f00dfeed"), std::string::npos) << read_file(conf);
  g.sentinels[0]->kill();
  g.sentinels[0] = start_proxy_with_sentinel(conf, g.sentinel_ports[0], proxy);
  ASSERT_TRUE(wait_until([&] { return call(proxy, {"SET", "k", "after"}) == "+OK\r\n"; }, 10s));
  auto m = g.master_fields(g.sentinel_ports[0]);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(field(*m, "num-other-sentinels"), "2");
}

}  // namespace
}  // namespace sp::testing

// Failover observability with real processes: three sentinel-proxy processes in proxy mode
// in front of a real master and two replicas, the master killed; then PROXY FAILOVER
// HISTORY and /metrics on each proxy tell what happened, phase by phase.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "tests/sentinel_io/redis_group.h"
#include "tests/sentinel_io/sentinel_group.h"
#include "tests/support/processes.h"
#include "tests/support/redis_process.h"

namespace sp::testing {
namespace {

struct ProxyPorts {
  int client = 0;
  int metrics = 0;
};

// As RedisGroup::start_proxies, with a metrics port of its own for each proxy.
std::vector<ProxyPorts> start_proxies_with_metrics(RedisGroup& g) {
  std::vector<ProxyPorts> ports;
  for (int sentinel_port : g.sentinel_ports) {
    const ProxyPorts p{free_loopback_port(), free_loopback_port()};
    write_sentinel_conf(g.conf(sentinel_port), p.client, g.master_port);
    std::ofstream(g.conf(sentinel_port), std::ios::app)
        << "sentinel-port " << sentinel_port << "\nmetrics-port " << p.metrics << "\n";
    g.sentinels.push_back(
        start_proxy_with_sentinel(g.conf(sentinel_port), sentinel_port, p.client));
    ports.push_back(p);
  }
  return ports;
}

std::vector<protocol::Value> history(int client_port) {
  auto reply = call_value(client_port, {"PROXY", "FAILOVER", "HISTORY"});
  if (!reply || reply->type != protocol::RespType::kArray) return {};
  return reply->elements;
}

// The switched records, once the swap of the newest one is recorded too (a follower's
// proxy swaps just after +switch-master).
std::vector<protocol::Value> switched_and_swapped(int client_port) {
  std::vector<protocol::Value> switched;
  for (const auto& r : history(client_port)) {
    if (field(r, "outcome") == "switched") switched.push_back(r);
  }
  if (switched.empty() || field(switched.front(), "swapped-ms") == "-1") return {};
  return switched;
}

std::string describe(const std::vector<protocol::Value>& records) {
  std::string text;
  for (const auto& r : records) {
    for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) {
      text += r.elements[i].text + "=" + field(r, r.elements[i].text) + " ";
    }
    text += "\n";
  }
  return text;
}

TEST(ProxyFailoverHistory, AKilledMasterShowsAsOneSwitchedFailoverWithItsPhases) {
  RedisGroup g({false, false, false}, /*start_sentinels=*/false);
  const std::vector<ProxyPorts> proxies = start_proxies_with_metrics(g);
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s));
  const int proxy = proxies[0].client;
  EXPECT_TRUE(history(proxy).empty());
  ASSERT_EQ(call(proxy, {"SET", "k", "v"}), "+OK\r\n");
  ASSERT_EQ(call(proxy, {"WAIT", "2", "5000"}), ":2\r\n");

  const std::string old_master = "127.0.0.1:" + std::to_string(g.master_port);
  g.master->kill();
  std::vector<protocol::Value> switched;
  ASSERT_TRUE(wait_until(
      [&] {
        switched = switched_and_swapped(proxy);
        return !switched.empty();
      },
      40s))
      << describe(history(proxy));
  const std::vector<protocol::Value> all = history(proxy);
  std::printf("PROXY FAILOVER HISTORY:\n%s", describe(all).c_str());
  ASSERT_EQ(switched.size(), 1u) << describe(all);
  const protocol::Value& r = switched.front();
  EXPECT_EQ(field(r, "old-master"), old_master);
  const std::string new_master = field(r, "new-master");
  EXPECT_NE(new_master, old_master);
  EXPECT_TRUE(new_master == "127.0.0.1:" + std::to_string(g.replica_ports[0]) ||
              new_master == "127.0.0.1:" + std::to_string(g.replica_ports[1]))
      << new_master;
  EXPECT_GE(std::stoll(field(r, "config-epoch")), 1);
  EXPECT_GT(std::stoll(field(r, "started-at")), 0);
  EXPECT_GE(std::stoll(field(r, "offset-lost")), 0) << "the engine knew both offsets";
  // Every phase this process saw comes after the one before; the end comes last.
  std::int64_t previous = 0;
  for (const char* name : {"sdown-ms", "odown-ms", "elected-ms", "promoted-ms", "swapped-ms"}) {
    const std::int64_t at = std::stoll(field(r, name));
    if (at < 0) continue;
    EXPECT_GE(at, previous) << name << "\n" << describe(all);
    previous = at;
  }
  EXPECT_EQ(field(r, "sdown-ms"), "0") << "a killed master is seen SDOWN first";
  EXPECT_GE(std::stoll(field(r, "elected-ms")), 0);
  EXPECT_GE(std::stoll(field(r, "total-ms")), std::stoll(field(r, "elected-ms")));
  if (field(r, "leader") == "yes") {
    // A leader saw the master objectively down before it asked for votes. A follower may
    // not: the leader's switch can reach it before its own peers' answers make it ODOWN
    // (odown-ms -1, "not seen"), the more likely the busier the machine.
    EXPECT_GE(std::stoll(field(r, "odown-ms")), 0);
    EXPECT_GE(std::stoll(field(r, "promoted-ms")), 0);
  }
  const auto topology = call_value(proxy, {"PROXY", "TOPOLOGY"});
  ASSERT_TRUE(topology.has_value());
  EXPECT_EQ(field(*topology, "master-port"), new_master.substr(new_master.find(':') + 1));

  std::string metrics;
  EXPECT_TRUE(wait_until(
      [&] {
        metrics = scrape_metrics(proxies[0].metrics);
        return metric_sample(metrics, "sentinel_proxy_failovers_total{outcome=\"switched\"}") ==
               "1";
      },
      10s))
      << metrics;
  EXPECT_EQ(metric_sample(metrics, "sentinel_proxy_failover_phase_seconds_count{phase=\"total\"}"),
            "1");
  EXPECT_EQ(metric_sample(metrics, "sentinel_proxy_master_config_epoch{group=\"mymaster\"}"),
            field(r, "config-epoch"));
  EXPECT_EQ(metric_sample(metrics, "sentinel_proxy_failover_offset_lost_bytes"),
            field(r, "offset-lost"));
  const std::string info = call(proxy, {"PROXY", "INFO"});
  EXPECT_EQ(info_field(info, "last_offset_lost"), field(r, "offset-lost")) << info;

  // One of the three led it: its history says so.
  int leaders = 0;
  for (const auto& p : proxies) {
    std::vector<protocol::Value> records;
    wait_until(
        [&] {
          records = switched_and_swapped(p.client);
          return !records.empty();
        },
        20s);
    ASSERT_EQ(records.size(), 1u) << describe(history(p.client));
    if (field(records.front(), "leader") == "yes") ++leaders;
  }
  EXPECT_EQ(leaders, 1);
}

}  // namespace
}  // namespace sp::testing

// The Prometheus endpoint: what a scrape shows after real traffic through the proxy.
#include <gtest/gtest.h>

#include <string>

#include "tests/integration/proxy_harness.h"

namespace sp::testing {
namespace {

TEST(ProxyMetrics, ScrapeShowsClientsCommandsLatencyBytesAndMaster) {
  RedisProcess redis;
  const int metrics_port = free_loopback_port();
  ProxyProcess proxy(redis.port(), {"--metrics-port", std::to_string(metrics_port)});
  TestConnection client(proxy.port());
  FrameReader reader(client);
  client.send(resp({"SET", "k", "v"}) + resp({"GET", "k"}) + resp({"GET", "k"}) +
              resp({"NOSUCHCOMMAND"}));
  ASSERT_TRUE(reader.frames(4).has_value());

  std::string text;
  // Counters are summed from the workers at scrape time; wait until the commands show.
  ASSERT_TRUE(wait_until(
      [&] {
        text = scrape_metrics(metrics_port);
        return metric_sample(text,
                             "sentinel_proxy_commands_total{command=\"get\",result=\"ok\"}") == "2";
      },
      10s))
      << text;
  EXPECT_EQ(metric_sample(text, "sentinel_proxy_commands_total{command=\"set\",result=\"ok\"}"),
            "1");
  EXPECT_NE(text.find("sentinel_proxy_commands_total{command=\"unknown\",result=\"error\"} 1"),
            std::string::npos)
      << text;
  EXPECT_EQ(metric_sample(text, "sentinel_proxy_connected_clients"), "1");
  EXPECT_EQ(metric_sample(text, "sentinel_proxy_command_duration_seconds_count"), "4");
  EXPECT_EQ(metric_sample(text, "sentinel_proxy_master_info{address=\"127.0.0.1:" +
                                    std::to_string(redis.port()) + "\",group=\"mymaster\"}"),
            "1");
  EXPECT_EQ(metric_sample(text, "sentinel_proxy_topology_epoch{group=\"mymaster\"}"), "0");
  EXPECT_NE(metric_sample(text, "sentinel_proxy_bytes_total{direction=\"in\",side=\"client\"}"),
            "0");
  EXPECT_EQ(metric_sample(text, "sentinel_proxy_backend_connect_failures_total"), "0");
  // Failover figures are exported from the start (proxy_failover_test drives them).
  EXPECT_EQ(metric_sample(text, "sentinel_proxy_held_commands"), "0");
  EXPECT_EQ(metric_sample(text, "sentinel_proxy_commands_retried_total"), "0");
}

}  // namespace
}  // namespace sp::testing

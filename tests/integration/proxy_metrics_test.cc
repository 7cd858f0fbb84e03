// The Prometheus endpoint: what a scrape shows after real traffic through the proxy.
#include <gtest/gtest.h>

#include <string>

#include "tests/integration/proxy_harness.h"

namespace sp::testing {
namespace {

std::string scrape(int port) {
  TestConnection conn(port);
  if (!conn.connected()) return "";
  conn.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  return conn.read_until_closed(5s);
}

// The value of the first sample line that starts with `series` (name and labels).
std::string sample(const std::string& text, const std::string& series) {
  auto pos = text.find("\n" + series + " ");
  if (pos == std::string::npos) return "";
  pos += series.size() + 2;
  return text.substr(pos, text.find('\n', pos) - pos);
}

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
        text = scrape(metrics_port);
        return sample(text, "sentinel_proxy_commands_total{command=\"get\",result=\"ok\"}") == "2";
      },
      10s))
      << text;
  EXPECT_EQ(sample(text, "sentinel_proxy_commands_total{command=\"set\",result=\"ok\"}"), "1");
  EXPECT_NE(text.find("sentinel_proxy_commands_total{command=\"unknown\",result=\"error\"} 1"),
            std::string::npos)
      << text;
  EXPECT_EQ(sample(text, "sentinel_proxy_connected_clients"), "1");
  EXPECT_EQ(sample(text, "sentinel_proxy_command_duration_seconds_count"), "4");
  EXPECT_EQ(sample(text, "sentinel_proxy_master_info{address=\"127.0.0.1:" +
                             std::to_string(redis.port()) + "\",group=\"mymaster\"}"),
            "1");
  EXPECT_EQ(sample(text, "sentinel_proxy_topology_epoch{group=\"mymaster\"}"), "0");
  EXPECT_NE(sample(text, "sentinel_proxy_bytes_total{direction=\"in\",side=\"client\"}"), "0");
  EXPECT_EQ(sample(text, "sentinel_proxy_backend_connect_failures_total"), "0");
}

}  // namespace
}  // namespace sp::testing

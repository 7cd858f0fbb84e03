// The metrics port: what a scrape shows after real traffic through the proxy, the process
// metrics, and the health and readiness endpoints following the master.
#include <signal.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

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

// SIGTERM ends the process with its metrics port open too (the port's accept loop shares
// the main thread with the signal handling).
TEST(ProxyMetrics, SigtermEndsAProxyWithAMetricsPort) {
  RedisProcess redis;
  const int metrics_port = free_loopback_port();
  ProxyProcess proxy(redis.port(), {"--metrics-port", std::to_string(metrics_port)});
  ASSERT_FALSE(scrape_metrics(metrics_port).empty());
  TestConnection idle_scraper(metrics_port);  // a request never finished
  ASSERT_EQ(::kill(proxy.pid(), SIGTERM), 0);
  EXPECT_TRUE(wait_until([&] { return !proxy.running(); }, 10s))
      << "still running 10 s after SIGTERM:\n"
      << proxy.log();
}

TEST(ProxyMetrics, ProcessMetricsAreThere) {
  RedisProcess redis;
  const int metrics_port = free_loopback_port();
  ProxyProcess proxy(redis.port(), {"--metrics-port", std::to_string(metrics_port)});
  const std::string text = scrape_metrics(metrics_port);
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                           "process_open_fds", "process_max_fds", "process_start_time_seconds"}) {
    EXPECT_FALSE(metric_sample(text, name).empty()) << name << "\n" << text;
  }
  EXPECT_GT(std::stod(metric_sample(text, "process_resident_memory_bytes")), 1e6);
  EXPECT_GE(std::stod(metric_sample(text, "process_open_fds")), 3);
}

TEST(ProxyMetrics, HealthAndReadinessFollowTheMaster) {
  RedisProcess redis;
  const int metrics_port = free_loopback_port();
  ProxyProcess proxy(redis.port(),
                     {"--metrics-port", std::to_string(metrics_port), "--connect-timeout", "300"});
  const auto status_of = [&](const std::string& path) {
    const std::string reply = http(metrics_port, "GET " + path + " HTTP/1.1");
    return reply.substr(0, reply.find("\r\n"));
  };
  EXPECT_EQ(status_of("/healthz"), "HTTP/1.1 200 OK");
  EXPECT_TRUE(wait_until([&] { return status_of("/readyz") == "HTTP/1.1 200 OK"; }, 10s));
  EXPECT_TRUE(http(metrics_port, "GET /readyz HTTP/1.1").ends_with("\r\n\r\nready\n"));

  // A master that stops answering makes the proxy unready, not dead.
  ASSERT_EQ(::kill(redis.pid(), SIGSTOP), 0);
  std::string unready;
  EXPECT_TRUE(wait_until(
      [&] {
        unready = http(metrics_port, "GET /readyz HTTP/1.1");
        return unready.starts_with("HTTP/1.1 503 Service Unavailable");
      },
      10s))
      << unready;
  EXPECT_TRUE(unready.ends_with("not ready: master 127.0.0.1:" + std::to_string(redis.port()) +
                                " unreachable\n"))
      << unready;
  EXPECT_EQ(status_of("/healthz"), "HTTP/1.1 200 OK");
  ASSERT_EQ(::kill(redis.pid(), SIGCONT), 0);
  EXPECT_TRUE(wait_until([&] { return status_of("/readyz") == "HTTP/1.1 200 OK"; }, 10s));

  // What else the port answers.
  EXPECT_EQ(status_of("/nope"), "HTTP/1.1 404 Not Found");
  EXPECT_EQ(http(metrics_port, "POST /metrics HTTP/1.1").substr(0, 31),
            "HTTP/1.1 405 Method Not Allowed");
  const std::string head = http(metrics_port, "HEAD /metrics HTTP/1.1");
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200 OK")) << head;
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << "HEAD got a body";
  // A request that never ends its headers is dropped without a reply.
  TestConnection endless(metrics_port);
  endless.send("GET /metrics HTTP/1.1\r\n" + std::string(10'000, 'x'));
  EXPECT_EQ(endless.read_until_closed(10s), "");
  EXPECT_TRUE(endless.peer_closed());
  // A flood of idle connections is bounded, and the port still answers once it is gone.
  std::vector<std::unique_ptr<TestConnection>> flood;
  for (int i = 0; i < 200; ++i) flood.push_back(std::make_unique<TestConnection>(metrics_port));
  EXPECT_TRUE(wait_until(
      [&] {
        return std::count_if(flood.begin(), flood.end(), [](const auto& c) {
                 return c->read_until_closed(10ms), c->peer_closed();
               }) >= 100;
      },
      3s))  // well before the 5 s an unfinished request is given
      << "connections past the bound were not closed";
  flood.clear();
  EXPECT_TRUE(wait_until([&] { return status_of("/healthz") == "HTTP/1.1 200 OK"; }, 10s));
}

}  // namespace
}  // namespace sp::testing

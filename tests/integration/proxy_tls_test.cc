// TLS on the client port and on the links to Redis (README.md, "TLS"), with certificates
// made by openssl at test time and real redis-server / redis-cli / redis-benchmark built
// with TLS: clients over TLS to a TLS-only master, clients the CA did not sign refused,
// plain bytes on the TLS port refused, a TLS-only proxy (port 0), and a certificate
// renewed under load (SIGHUP) without a client dropped.
#include <signal.h>

#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/proxy_harness.h"
#include "tests/support/redis_process.h"
#include "tests/support/tls_certs.h"

namespace sp::testing {
namespace {

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

long long metric_value(int metrics_port, const std::string& series) {
  const std::string value = metric_sample(scrape_metrics(metrics_port), series);
  return value.empty() ? -1 : std::stoll(value);
}

TEST(ProxyTls, ClientsOverTlsToATlsOnlyMaster) {
  TempDir dir;
  const TlsCerts certs = TlsCerts::make(dir.path);
  const int master_port = free_loopback_port();
  auto master = start_tls_redis(certs, master_port, dir.path);
  ASSERT_TRUE(master) << read_file(dir.path + "/redis.log");
  const int tls_port = free_loopback_port();
  const int metrics_port = free_loopback_port();
  ProxyProcess proxy(master_port, with({"--tls-port", std::to_string(tls_port), "--tls-replication",
                                        "yes", "--metrics-port", std::to_string(metrics_port)},
                                       certs.server_args()));

  // redis-cli --tls through the TLS port; the value lands on the TLS-only master.
  EXPECT_EQ(redis_cli_tls(certs, tls_port, "SET tls-key over-tls"), "OK\n") << proxy.log();
  EXPECT_EQ(redis_cli_tls(certs, tls_port, "GET tls-key"), "over-tls\n");
  EXPECT_EQ(redis_cli_tls(certs, master_port, "GET tls-key"), "over-tls\n");
  // The port in the clear beside it reaches the same master (over TLS on the proxy's side).
  EXPECT_EQ(call(proxy.port(), {"GET", "tls-key"}), "$8\r\nover-tls\r\n");
  // A large value and a pipeline, both ways through two TLS hops.
  std::string out;
  ASSERT_EQ(run_command("head -c 300000 /dev/zero | tr '\\0' x | timeout 10 redis-cli " +
                            certs.cli_options() + " -p " + std::to_string(tls_port) +
                            " -x SET big && timeout 10 redis-cli " + certs.cli_options() + " -p " +
                            std::to_string(tls_port) + " STRLEN big",
                        out),
            0);
  EXPECT_EQ(out, "OK\n300000\n");
  ASSERT_EQ(run_command("for i in $(seq 1 500); do echo \"INCR counter\"; done | timeout 10 "
                        "redis-cli " +
                            certs.cli_options() + " -p " + std::to_string(tls_port) + " --pipe",
                        out),
            0)
      << out;
  EXPECT_EQ(redis_cli_tls(certs, master_port, "GET counter"), "500\n");

  // tls-auth-clients yes (Redis's default): no certificate, or one of another CA, is refused.
  const std::string no_cert = redis_cli_tls(certs, tls_port, "PING", nullptr, false);
  EXPECT_EQ(no_cert.find("PONG"), std::string::npos) << no_cert;
  std::string stranger;
  run_command("timeout 10 redis-cli --tls --cacert " + certs.ca + " --cert " + certs.stranger_cert +
                  " --key " + certs.stranger_key + " -p " + std::to_string(tls_port) + " PING 2>&1",
              stranger);
  EXPECT_EQ(stranger.find("PONG"), std::string::npos) << stranger;
  // Plain RESP on the TLS port: no reply, the connection closed.
  TestConnection plain(tls_port);
  ASSERT_TRUE(plain.connected());
  plain.send(resp({"PING"}));
  EXPECT_EQ(plain.read_until_closed(10s).find("PONG"), std::string::npos);
  EXPECT_TRUE(plain.peer_closed());

  // The metrics count each kind.
  EXPECT_TRUE(wait_until(
      [&] {
        return metric_value(metrics_port,
                            "sentinel_proxy_tls_handshake_failures_total{reason="
                            "\"no_certificate\",scope=\"proxy\"}") >= 1 &&
               metric_value(metrics_port,
                            "sentinel_proxy_tls_handshake_failures_total{reason="
                            "\"bad_certificate\",scope=\"proxy\"}") >= 1 &&
               metric_value(metrics_port,
                            "sentinel_proxy_tls_handshake_failures_total{reason="
                            "\"protocol\",scope=\"proxy\"}") >= 1;
      },
      10s))
      << scrape_metrics(metrics_port);
  // Client handshakes and the proxy's own to the master.
  EXPECT_GE(metric_value(metrics_port, "sentinel_proxy_tls_handshakes_total{scope=\"proxy\"}"), 10);
  const long long expiry =
      metric_value(metrics_port, "sentinel_proxy_tls_certificate_expiry_seconds{scope=\"proxy\"}");
  EXPECT_GT(expiry, 86400);  // the test certificate is valid two days
  EXPECT_LE(expiry, 2 * 86400);
}

TEST(ProxyTls, TlsOnlyProxyAndItsErrors) {
  TempDir dir;
  const TlsCerts certs = TlsCerts::make(dir.path);
  RedisProcess redis;
  const int tls_port = free_loopback_port();
  // port 0: TLS only, as Redis's `port 0` with a tls-port.
  ChildProcess proxy(
      with({proxy_binary(), "--port", "0", "--tls-port", std::to_string(tls_port), "--upstream",
            "127.0.0.1", std::to_string(redis.port()), "--metrics-port", "0"},
           certs.server_args()),
      dir.path + "/proxy.log");
  EXPECT_TRUE(wait_until([&] { return redis_cli_tls(certs, tls_port, "PING") == "PONG\n"; }, 10s))
      << read_file(dir.path + "/proxy.log");
  EXPECT_EQ(redis_cli_tls(certs, tls_port, "SET k v"), "OK\n");
  EXPECT_EQ(call(redis.port(), {"GET", "k"}), "$1\r\nv\r\n");
  EXPECT_NE(read_file(dir.path + "/proxy.log").find("clients on TLS port"), std::string::npos);

  // Refused at start with Redis's words: no port at all, a certificate that is not there,
  // tls-auth-clients without a CA.
  std::string out;
  EXPECT_NE(run_command("timeout 10 " + proxy_binary() + " --port 0 --metrics-port 0 2>&1", out),
            0);
  EXPECT_NE(out.find("Configured to not listen anywhere"), std::string::npos) << out;
  EXPECT_NE(run_command("timeout 10 " + proxy_binary() + " --port 0 --metrics-port 0 --tls-port " +
                            std::to_string(free_loopback_port()) + " --tls-cert-file " + dir.path +
                            "/none.crt --tls-key-file " + certs.server_key +
                            " --tls-ca-cert-file " + certs.ca + " 2>&1",
                        out),
            0);
  EXPECT_NE(out.find("Failed to load certificate: " + dir.path + "/none.crt"), std::string::npos)
      << out;
  // --test-config loads the certificates as the start would.
  EXPECT_NE(run_command("timeout 10 " + proxy_binary() + " --test-config --tls-port 1 " +
                            "--tls-cert-file " + dir.path + "/none.crt --tls-key-file " +
                            certs.server_key + " --tls-ca-cert-file " + certs.ca + " 2>&1",
                        out),
            0);
  EXPECT_NE(out.find("TLS: Failed to load certificate"), std::string::npos) << out;
  std::vector<std::string> good =
      with({proxy_binary(), "--test-config", "--tls-port", "1"}, certs.server_args());
  std::string good_line = "timeout 10";
  for (const auto& word : good) good_line += " " + word;
  EXPECT_EQ(run_command(good_line + " 2>&1", out), 0) << out;
  EXPECT_EQ(out, "sentinel-proxy: configuration OK\n");
  EXPECT_NE(run_command("timeout 10 " + proxy_binary() + " --port 0 --metrics-port 0 --tls-port " +
                            std::to_string(free_loopback_port()) + " --tls-cert-file " +
                            certs.server_cert + " --tls-key-file " + certs.server_key + " 2>&1",
                        out),
            0);
  EXPECT_NE(out.find("Either tls-ca-cert-file or tls-ca-cert-dir must be specified"),
            std::string::npos)
      << out;
  EXPECT_NE(run_command("timeout 10 " + proxy_binary() + " --tls-auth-clients maybe 2>&1", out), 0);
  EXPECT_NE(out.find("argument(s) must be one of the following: no, yes, optional"),
            std::string::npos)
      << out;
  // tls-auth-clients no: a client without a certificate is served.
  const int open_port = free_loopback_port();
  ProxyProcess open_proxy(
      redis.port(), with({"--tls-port", std::to_string(open_port), "--tls-auth-clients", "no"},
                         certs.server_args()));
  EXPECT_EQ(redis_cli_tls(certs, open_port, "PING", nullptr, false), "PONG\n") << open_proxy.log();
}

// A renewed certificate, read on SIGHUP: new connections get it, and the twenty connections
// a redis-benchmark keeps open through the swap go on without an error.
TEST(ProxyTls, ACertificateRenewedUnderLoadDropsNoClient) {
  TempDir dir;
  const TlsCerts certs = TlsCerts::make(dir.path);
  RedisProcess redis;
  const int tls_port = free_loopback_port();
  const int metrics_port = free_loopback_port();
  ProxyProcess proxy(redis.port(), with({"--tls-port", std::to_string(tls_port), "--metrics-port",
                                         std::to_string(metrics_port)},
                                        certs.server_args()));
  ASSERT_EQ(served_subject(certs, tls_port), "subject=CN=server-1");

  // Twenty connections, each sending SETs until it is stopped; redis-benchmark exits at
  // the first connection it loses, so while it runs none was dropped.
  std::vector<std::string> argv = {"redis-benchmark",
                                   "--tls",
                                   "--cacert",
                                   certs.ca,
                                   "--cert",
                                   certs.client_cert,
                                   "--key",
                                   certs.client_key,
                                   "-p",
                                   std::to_string(tls_port),
                                   "-c",
                                   "20",
                                   "-l",
                                   "-t",
                                   "set",
                                   "-q"};
  ChildProcess load(argv, dir.path + "/benchmark.log");
  const auto commands = [&] {
    return std::stoll(
        "0" + info_field(call(redis.port(), {"INFO", "stats"}), "total_commands_processed"));
  };
  const auto clients = [&] {
    return metric_value(metrics_port, "sentinel_proxy_connected_clients");
  };
  ASSERT_TRUE(wait_until([&] { return commands() > 5000 && clients() == 20; }, 30s))
      << read_file(dir.path + "/benchmark.log");
  const long long accepted_before =
      metric_value(metrics_port, "sentinel_proxy_connections_accepted_total");

  certs.renew_server("server-2");
  ::kill(proxy.pid(), SIGHUP);
  int probes = 0;  // each a connection of its own
  EXPECT_TRUE(wait_until(
      [&] {
        ++probes;
        return served_subject(certs, tls_port) == "subject=CN=server-2";
      },
      10s))
      << proxy.log();
  // The same twenty connections carry on after the swap.
  const long long at_swap = commands();
  EXPECT_TRUE(wait_until([&] { return commands() > at_swap + 20000 || !load.running(); }, 30s));
  EXPECT_TRUE(load.running()) << read_file(dir.path + "/benchmark.log");
  EXPECT_EQ(clients(), 20);
  // Only the certificate probes (s_client) connected since: no client came back.
  EXPECT_EQ(metric_value(metrics_port, "sentinel_proxy_connections_accepted_total"),
            accepted_before + probes);
  load.kill();
  const std::string log = read_file(dir.path + "/benchmark.log");
  EXPECT_EQ(log.find("rror"), std::string::npos) << log;
  EXPECT_EQ(metric_value(metrics_port, "sentinel_proxy_tls_reloads_total{scope=\"proxy\"}"), 1);
  EXPECT_NE(proxy.log().find("TLS certificates and settings reloaded"), std::string::npos);
  std::cout << "certificate renewed under load: " << commands() - at_swap
            << " SETs after the swap on the 20 connections open before it\n";
}

}  // namespace
}  // namespace sp::testing

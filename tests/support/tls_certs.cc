#include "tests/support/tls_certs.h"

#include <fstream>
#include <stdexcept>

#include "tests/support/redis_process.h"

namespace sp::testing {
namespace {

void run_openssl(const std::string& command) {
  std::string output;
  if (run_command(command + " 2>&1", output) != 0) {
    throw std::runtime_error("openssl failed: " + command + ": " + output);
  }
}

// A key and a certificate for `name` signed by `ca` (its .crt and .key).
void make_signed(const std::string& ca, const std::string& name, const std::string& subject) {
  run_openssl("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " +
              name + ".key -subj '" + subject + "' -out " + name + ".csr");
  run_openssl("openssl x509 -req -sha256 -days 2 -in " + name + ".csr -CA " + ca + ".crt -CAkey " +
              ca + ".key -set_serial $(od -An -N8 -tu8 /dev/urandom | tr -d ' ') -out " + name +
              ".crt");
}

void make_ca(const std::string& name, const std::string& subject) {
  run_openssl(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
      "-keyout " +
      name + ".key -subj '" + subject + "' -out " + name + ".crt");
}

}  // namespace

TlsCerts TlsCerts::make(const std::string& dir) {
  TlsCerts c;
  c.dir = dir;
  make_ca(dir + "/ca", "/CN=sentinel-proxy test CA");
  make_signed(dir + "/ca", dir + "/server", "/CN=server-1");
  make_signed(dir + "/ca", dir + "/client", "/CN=client");
  make_ca(dir + "/other-ca", "/CN=another CA");
  make_signed(dir + "/other-ca", dir + "/stranger", "/CN=stranger");
  c.ca = dir + "/ca.crt";
  c.server_cert = dir + "/server.crt";
  c.server_key = dir + "/server.key";
  c.client_cert = dir + "/client.crt";
  c.client_key = dir + "/client.key";
  c.client_pem = dir + "/client.pem";
  run_openssl("cat " + c.client_cert + " " + c.client_key + " > " + c.client_pem);
  c.stranger_cert = dir + "/stranger.crt";
  c.stranger_key = dir + "/stranger.key";
  return c;
}

void TlsCerts::renew_server(const std::string& common_name) const {
  // Made aside and renamed over the old files, as a renewal tool does.
  make_signed(dir + "/ca", dir + "/renewed", "/CN=" + common_name);
  run_openssl("mv " + dir + "/renewed.key " + server_key + " && mv " + dir + "/renewed.crt " +
              server_cert);
}

std::vector<std::string> TlsCerts::server_args() const {
  return {"--tls-cert-file", server_cert, "--tls-key-file", server_key, "--tls-ca-cert-file", ca};
}

std::string TlsCerts::cli_options(bool with_certificate) const {
  std::string options = "--tls --cacert " + ca;
  if (with_certificate) options += " --cert " + client_cert + " --key " + client_key;
  return options;
}

std::string redis_cli_tls(const TlsCerts& certs, int port, const std::string& args, int* status,
                          bool with_certificate) {
  std::string output;
  const int code =
      run_command("timeout 10 redis-cli " + certs.cli_options(with_certificate) +
                      " -h 127.0.0.1 -p " + std::to_string(port) + " " + args + " 2>&1",
                  output);
  if (status != nullptr) *status = code;
  return output;
}

std::string served_subject(const TlsCerts& certs, int port) {
  std::string output;
  run_command("timeout 10 openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                  " -CAfile " + certs.ca + " -cert " + certs.client_cert + " -key " +
                  certs.client_key +
                  " </dev/null 2>/dev/null | openssl x509 -noout -subject -nameopt RFC2253",
              output);
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  return output;
}

TlsRelay::TlsRelay(const TlsCerts& certs, int tls_port, const std::string& dir)
    : port_(free_loopback_port()) {
  const std::string config = dir + "/relay-" + std::to_string(port_) + ".cfg";
  std::ofstream(config) << "global\n  maxconn 2000\n"
                        << "defaults\n  mode tcp\n  timeout connect 5s\n"
                        << "  timeout client 1h\n  timeout server 1h\n"
                        << "frontend plain\n  bind 127.0.0.1:" << port_ << "\n"
                        << "  default_backend tls\n"
                        << "backend tls\n  server s 127.0.0.1:" << tls_port
                        << " ssl verify required ca-file " << certs.ca << " crt "
                        << certs.client_pem << "\n";
  haproxy_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"haproxy", "-f", config, "-db"}, config + ".log");
  if (!wait_until([&] { return TestConnection(port_).connected(); }, 10s)) {
    throw std::runtime_error("haproxy did not start: " + read_file(config + ".log"));
  }
}

std::unique_ptr<ChildProcess> start_tls_redis(const TlsCerts& certs, int tls_port,
                                              const std::string& dir,
                                              std::vector<std::string> extra) {
  std::vector<std::string> argv = {"redis-server",
                                   "--port",
                                   "0",
                                   "--tls-port",
                                   std::to_string(tls_port),
                                   "--bind",
                                   "127.0.0.1",
                                   "--dir",
                                   dir,
                                   "--save",
                                   ""};
  for (auto& word : certs.server_args()) argv.push_back(word);
  for (auto& word : extra) argv.push_back(std::move(word));
  auto child = std::make_unique<ChildProcess>(argv, dir + "/redis.log");
  const bool up = wait_until(
      [&] { return redis_cli_tls(certs, tls_port, "PING").find("PONG") != std::string::npos; },
      10s);
  if (!up) return nullptr;
  return child;
}

}  // namespace sp::testing

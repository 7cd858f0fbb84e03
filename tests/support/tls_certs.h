#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/support/processes.h"

namespace sp::testing {

// Certificates made at test time with openssl (EC P-256, valid two days) in `dir`: a CA,
// a server certificate and a client certificate it signed, and a client certificate of
// another CA (which a server of this CA must refuse).
struct TlsCerts {
  std::string dir;
  std::string ca;
  std::string server_cert, server_key;
  std::string client_cert, client_key;
  std::string client_pem;                   // certificate and key in one file (HAProxy's `crt`)
  std::string stranger_cert, stranger_key;  // signed by another CA

  // Makes them; throws std::runtime_error with openssl's output when it fails.
  static TlsCerts make(const std::string& dir);
  // A new server certificate (and key) in place of the old files, with `common_name`: what
  // an operator's renewal does before SIGHUP.
  void renew_server(const std::string& common_name) const;

  // The tls-* directives of a server of this CA (Redis's names), as command-line words.
  std::vector<std::string> server_args() const;
  // redis-cli's TLS options, with the client certificate (or without any).
  std::string cli_options(bool with_certificate = true) const;
};

// redis-cli over TLS to 127.0.0.1:<port>: its output (`args` quoted for the shell by the
// caller), and the exit status in `status`.
std::string redis_cli_tls(const TlsCerts& certs, int port, const std::string& args,
                          int* status = nullptr, bool with_certificate = true);

// The subject of the certificate the TLS server on `port` shows ("" when none).
std::string served_subject(const TlsCerts& certs, int port);

// A relay from the clear to TLS (HAProxy in tcp mode, `server ... ssl` with the client
// certificate, the server's checked against the CA): a test's plain connections to port()
// reach 127.0.0.1:<tls_port> over TLS, so a corpus written for plain sockets runs over TLS
// unchanged. Stopped by pid with this object.
class TlsRelay {
 public:
  TlsRelay(const TlsCerts& certs, int tls_port, const std::string& dir);
  int port() const { return port_; }
  bool running() { return haproxy_ && haproxy_->running(); }

 private:
  int port_ = 0;
  std::unique_ptr<ChildProcess> haproxy_;
};

// A TLS-only redis-server (port 0, tls-port `tls_port`, clients must show a certificate)
// in `dir`, answering PING over TLS before this returns; nullptr when it does not.
std::unique_ptr<ChildProcess> start_tls_redis(const TlsCerts& certs, int tls_port,
                                              const std::string& dir,
                                              std::vector<std::string> extra = {});

}  // namespace sp::testing

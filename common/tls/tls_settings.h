#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sp::tls {

// tls-auth-clients: whether a client of a TLS port must show a certificate the CA signed.
enum class ClientAuth { kNo, kYes, kOptional };

// Redis's tls-* directives, with Redis's names, defaults and meanings (redis.conf, "TLS/SSL"),
// for every port and link of a process: the client port and the sentinel port serve with
// cert_file/key_file; the links to Redis and to other sentinels use TLS when `replication`
// is set (tls-replication, as redis-sentinel reads it), showing client_cert_file (or
// cert_file) and checking the server's certificate against the CA.
struct TlsSettings {
  std::string cert_file;
  std::string key_file;
  std::string key_file_pass;
  std::string client_cert_file;
  std::string client_key_file;
  std::string client_key_file_pass;
  std::string dh_params_file;
  std::string ca_cert_file;
  std::string ca_cert_dir;
  ClientAuth auth_clients = ClientAuth::kYes;
  std::string protocols;  // "" is Redis's default: TLSv1.2 and TLSv1.3
  std::string ciphers;
  std::string ciphersuites;
  bool prefer_server_ciphers = false;
  bool session_caching = true;
  std::uint32_t session_cache_size = 20480;
  std::uint32_t session_cache_timeout = 300;
  bool replication = false;  // tls-replication: outgoing links use TLS

  bool operator==(const TlsSettings&) const = default;
};

// Applies one tls-* directive (`name` lower case). nullopt: not a TLS directive; "" when
// applied; otherwise the error, in Redis's words for the value's type.
std::optional<std::string> apply_tls_directive(TlsSettings& settings, std::string_view name,
                                               std::string_view value);

// The directive's value as CONFIG GET shows it; nullopt when `name` is not one.
std::optional<std::string> tls_directive_value(const TlsSettings& settings, std::string_view name);

// Every tls-* directive this reads, in redis.conf's order (tls-port is the caller's).
inline constexpr std::string_view kTlsDirectives[] = {
    "tls-cert-file",        "tls-key-file",           "tls-key-file-pass",
    "tls-client-cert-file", "tls-client-key-file",    "tls-client-key-file-pass",
    "tls-dh-params-file",   "tls-ca-cert-file",       "tls-ca-cert-dir",
    "tls-auth-clients",     "tls-replication",        "tls-protocols",
    "tls-ciphers",          "tls-ciphersuites",       "tls-prefer-server-ciphers",
    "tls-session-caching",  "tls-session-cache-size", "tls-session-cache-timeout",
};

}  // namespace sp::tls

#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>

#include "common/tls/tls_context.h"
#include "common/tls/tls_settings.h"

namespace sp::tls {

// Why a TLS handshake failed, as the metrics count it.
enum class HandshakeFailure {
  kTimeout,         // not done within the handshake deadline
  kClosed,          // the peer left (or reset) before it was done
  kNoCertificate,   // tls-auth-clients yes and the client showed none
  kBadCertificate,  // a certificate the CA did not sign, expired, or refused by the peer
  kProtocol,        // not TLS (plain RESP, HTTP), no shared protocol version or cipher
  kOther,
};
inline constexpr std::size_t kHandshakeFailureKinds = 6;
std::string_view to_string(HandshakeFailure failure);
HandshakeFailure classify_handshake_failure(const std::error_code& ec);

// The TLS contexts in use, shared by every thread of a process: a connection takes the
// current one as it starts and keeps it, so reload() (SIGHUP: new certificates, the same
// files renewed) changes what the next connections get and drops no one.
class TlsStore {
 public:
  // Builds the contexts (`serve`: a TLS port; `connect`: links over TLS); throws
  // std::runtime_error with Redis's words when the settings or the files are refused.
  TlsStore(const TlsSettings& settings, bool serve, bool connect);

  std::shared_ptr<asio::ssl::context> server() const;
  std::shared_ptr<asio::ssl::context> client() const;
  bool connects() const { return connect_; }

  // Reads the certificates and keys again with `settings`; "" when the new contexts are in
  // use, else why not (the old ones stay).
  std::string reload(const TlsSettings& settings);
  // notAfter of the served certificate, Unix seconds (0: none).
  std::int64_t server_cert_not_after() const;

  // Counted by whoever handshakes, read by the metrics.
  void count_handshake(const std::error_code& ec);
  std::uint64_t handshakes() const { return handshakes_.load(std::memory_order_relaxed); }
  std::uint64_t failures(HandshakeFailure kind) const {
    return failures_[static_cast<std::size_t>(kind)].load(std::memory_order_relaxed);
  }
  std::uint64_t reloads() const { return reloads_.load(std::memory_order_relaxed); }

 private:
  const bool serve_;
  const bool connect_;
  mutable std::mutex mutex_;
  TlsContexts contexts_;
  std::atomic<std::uint64_t> handshakes_{0};
  std::array<std::atomic<std::uint64_t>, kHandshakeFailureKinds> failures_{};
  std::atomic<std::uint64_t> reloads_{0};
};

}  // namespace sp::tls

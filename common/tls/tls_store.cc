#include "common/tls/tls_store.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <stdexcept>

#include <asio/error.hpp>
#include <asio/ssl/error.hpp>

namespace sp::tls {

std::string_view to_string(HandshakeFailure failure) {
  switch (failure) {
    case HandshakeFailure::kTimeout:
      return "timeout";
    case HandshakeFailure::kClosed:
      return "closed";
    case HandshakeFailure::kNoCertificate:
      return "no_certificate";
    case HandshakeFailure::kBadCertificate:
      return "bad_certificate";
    case HandshakeFailure::kProtocol:
      return "protocol";
    case HandshakeFailure::kOther:
      return "other";
  }
  return "other";
}

HandshakeFailure classify_handshake_failure(const std::error_code& ec) {
  if (ec == asio::error::timed_out) return HandshakeFailure::kTimeout;
  if (ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated) {
    return HandshakeFailure::kClosed;
  }
  if (ec.category() != asio::error::get_ssl_category()) return HandshakeFailure::kOther;
  switch (ERR_GET_REASON(static_cast<unsigned long>(ec.value()))) {
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
      return HandshakeFailure::kNoCertificate;
    case SSL_R_CERTIFICATE_VERIFY_FAILED:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_TLSV1_ALERT_DECRYPT_ERROR:
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
      return HandshakeFailure::kBadCertificate;
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_HTTP_REQUEST:
    case SSL_R_HTTPS_PROXY_REQUEST:
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_NO_SHARED_CIPHER:
    case SSL_R_VERSION_TOO_LOW:
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
    case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:
    case SSL_R_PACKET_LENGTH_TOO_LONG:
    case SSL_R_RECORD_LENGTH_MISMATCH:
      return HandshakeFailure::kProtocol;
    default:
      return HandshakeFailure::kOther;
  }
}

TlsStore::TlsStore(const TlsSettings& settings, bool serve, bool connect)
    : serve_(serve), connect_(connect) {
  BuiltContexts built = build_contexts(settings, serve, connect);
  if (!built.error.empty()) throw std::runtime_error(built.error);
  contexts_ = std::move(built.contexts);
}

std::shared_ptr<asio::ssl::context> TlsStore::server() const {
  std::lock_guard lock(mutex_);
  return contexts_.server;
}

std::shared_ptr<asio::ssl::context> TlsStore::client() const {
  std::lock_guard lock(mutex_);
  return contexts_.client;
}

std::int64_t TlsStore::server_cert_not_after() const {
  std::lock_guard lock(mutex_);
  return contexts_.server_cert_not_after;
}

std::string TlsStore::reload(const TlsSettings& settings) {
  BuiltContexts built = build_contexts(settings, serve_, connect_);
  if (!built.error.empty()) return built.error;
  {
    std::lock_guard lock(mutex_);
    contexts_ = std::move(built.contexts);
  }
  reloads_.fetch_add(1, std::memory_order_relaxed);
  return {};
}

void TlsStore::count_handshake(const std::error_code& ec) {
  // Cut short by this process (a link closed, a client port drained): not the peer's doing.
  if (ec == asio::error::operation_aborted) return;
  if (!ec) {
    handshakes_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  failures_[static_cast<std::size_t>(classify_handshake_failure(ec))].fetch_add(
      1, std::memory_order_relaxed);
}

}  // namespace sp::tls

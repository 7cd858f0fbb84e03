#include "common/tls/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <strings.h>

#include <ctime>
#include <optional>
#include <string_view>

#include <asio/ssl/context.hpp>

namespace sp::tls {
namespace {

constexpr long kTlsv1 = 1, kTlsv1_1 = 2, kTlsv1_2 = 4, kTlsv1_3 = 8;

// tls-protocols as Redis parses it: space separated, any case; empty means 1.2 and 1.3.
std::optional<long> parse_protocols(std::string_view text) {
  if (text.find_first_not_of(' ') == std::string_view::npos) return kTlsv1_2 | kTlsv1_3;
  long protocols = 0;
  while (!text.empty()) {
    const auto space = text.find(' ');
    const std::string_view word = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    if (word.empty()) continue;
    const std::string w(word);
    if (strcasecmp(w.c_str(), "tlsv1") == 0) {
      protocols |= kTlsv1;
    } else if (strcasecmp(w.c_str(), "tlsv1.1") == 0) {
      protocols |= kTlsv1_1;
    } else if (strcasecmp(w.c_str(), "tlsv1.2") == 0) {
      protocols |= kTlsv1_2;
    } else if (strcasecmp(w.c_str(), "tlsv1.3") == 0) {
      protocols |= kTlsv1_3;
    } else {
      return std::nullopt;
    }
  }
  return protocols;
}

// OpenSSL's reason for the failure, emptying its error queue: the first error queued, as
// Redis reports it (ERR_get_error).
std::string openssl_reason() {
  char text[256] = {0};
  const unsigned long code = ERR_peek_error();
  if (code != 0) ERR_error_string_n(code, text, sizeof(text));
  ERR_clear_error();
  return text;
}

// mirrors tlsPasswordCallback: the configured passphrase, or a failure (never OpenSSL's
// prompt on the terminal) when there is none or it does not fit.
int password_from_settings(char* buf, int size, int /*rwflag*/, void* pass) {
  if (pass == nullptr) return -1;
  const std::string& text = *static_cast<const std::string*>(pass);
  if (text.empty() || text.size() >= static_cast<std::size_t>(size)) return -1;
  text.copy(buf, text.size());
  return static_cast<int>(text.size());
}

std::int64_t not_after(SSL_CTX* ctx) {
  X509* cert = SSL_CTX_get0_certificate(ctx);
  if (cert == nullptr) return 0;
  std::tm when{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &when) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&when));
}

// One context, as Redis's createSSLContext makes it. `client`: the links' context, showing
// tls-client-cert-file when there is one.
std::shared_ptr<asio::ssl::context> make_context(const TlsSettings& settings, long protocols,
                                                 bool client, std::string& error) {
  const bool own_client_cert = client && !settings.client_cert_file.empty();
  const std::string& cert_file = own_client_cert ? settings.client_cert_file : settings.cert_file;
  const std::string& key_file = own_client_cert ? settings.client_key_file : settings.key_file;
  const std::string& pass =
      own_client_cert ? settings.client_key_file_pass : settings.key_file_pass;

  auto context = std::make_shared<asio::ssl::context>(client ? asio::ssl::context::tls_client
                                                             : asio::ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  long options = SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_COMPRESSION;
  if (!(protocols & kTlsv1)) options |= SSL_OP_NO_TLSv1;
  if (!(protocols & kTlsv1_1)) options |= SSL_OP_NO_TLSv1_1;
  if (!(protocols & kTlsv1_2)) options |= SSL_OP_NO_TLSv1_2;
  if (!(protocols & kTlsv1_3)) options |= SSL_OP_NO_TLSv1_3;
  if (!client && settings.prefer_server_ciphers) options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
    // As Redis: a client may not renegotiate (TLSv1.2), a handshake's cost paid again and
    // again on one connection. OpenSSL 3 refuses it unless SSL_OP_ALLOW_CLIENT_RENEGOTIATION
    // is set; older ones need the option.
#ifdef SSL_OP_NO_CLIENT_RENEGOTIATION
  if (!client) options |= SSL_OP_NO_CLIENT_RENEGOTIATION;
#endif
  SSL_CTX_set_options(ctx, options);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);

  if (client) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  } else if (settings.auth_clients == ClientAuth::kYes) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  } else if (settings.auth_clients == ClientAuth::kOptional) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }

  SSL_CTX_set_default_passwd_cb(ctx, password_from_settings);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, const_cast<std::string*>(&pass));
  ERR_clear_error();
  if (!cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) <= 0) {
      error = "Failed to load certificate: " + cert_file + ": " + openssl_reason();
    } else if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) <= 0) {
      error = "Failed to load private key: " + key_file + ": " + openssl_reason();
    }
  }
  // The passphrase is read while the key loads: the callback must not outlive `pass`.
  SSL_CTX_set_default_passwd_cb(ctx, nullptr);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
  if (!error.empty()) return nullptr;

  const char* ca_file = settings.ca_cert_file.empty() ? nullptr : settings.ca_cert_file.c_str();
  const char* ca_dir = settings.ca_cert_dir.empty() ? nullptr : settings.ca_cert_dir.c_str();
  if ((ca_file != nullptr || ca_dir != nullptr) &&
      SSL_CTX_load_verify_locations(ctx, ca_file, ca_dir) <= 0) {
    error = "Failed to configure CA certificate(s) file/directory: " + openssl_reason();
    return nullptr;
  }
  if (!settings.ciphers.empty() && !SSL_CTX_set_cipher_list(ctx, settings.ciphers.c_str())) {
    error = "Failed to configure ciphers: " + settings.ciphers;
    ERR_clear_error();
    return nullptr;
  }
  if (!settings.ciphersuites.empty() &&
      !SSL_CTX_set_ciphersuites(ctx, settings.ciphersuites.c_str())) {
    error = "Failed to configure ciphersuites: " + settings.ciphersuites;
    ERR_clear_error();
    return nullptr;
  }
  if (client) return context;

  if (settings.session_caching) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx, settings.session_cache_size);
    SSL_CTX_set_timeout(ctx, settings.session_cache_timeout);
    static constexpr unsigned char kSessionContext[] = "sentinel-proxy";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof(kSessionContext) - 1);
  } else {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  }
  SSL_CTX_set_options(ctx, SSL_OP_SINGLE_DH_USE);
  if (!settings.dh_params_file.empty()) {
    std::error_code ec;
    context->use_tmp_dh_file(settings.dh_params_file, ec);
    if (ec) {
      error = "Failed to load " + settings.dh_params_file + ": " + ec.message();
      return nullptr;
    }
  } else {
    SSL_CTX_set_dh_auto(ctx, 1);
  }
  return context;
}

}  // namespace

BuiltContexts build_contexts(const TlsSettings& settings, bool serve, bool connect) {
  BuiltContexts built;
  if (!serve && !connect) return built;
  if (settings.cert_file.empty() && (serve || settings.client_cert_file.empty())) {
    built.error = "No tls-cert-file configured!";
    return built;
  }
  if (!settings.cert_file.empty() && settings.key_file.empty()) {
    built.error = "No tls-key-file configured!";
    return built;
  }
  if (!settings.client_cert_file.empty() && settings.client_key_file.empty()) {
    built.error = "No tls-client-key-file configured!";
    return built;
  }
  if ((settings.auth_clients != ClientAuth::kNo || settings.replication) &&
      settings.ca_cert_file.empty() && settings.ca_cert_dir.empty()) {
    built.error =
        "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, "
        "tls-replication or tls-auth-clients are enabled!";
    return built;
  }
  const auto protocols = parse_protocols(settings.protocols);
  if (!protocols) {
    built.error =
        "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' "
        "and 'TLSv1.3'.";
    return built;
  }
  TlsContexts contexts;
  if (serve) {
    contexts.server = make_context(settings, *protocols, false, built.error);
    if (!contexts.server) return built;
    contexts.server_cert_not_after = not_after(contexts.server->native_handle());
  }
  if (connect) {
    contexts.client = make_context(settings, *protocols, true, built.error);
    if (!contexts.client) return built;
  }
  built.contexts = std::move(contexts);
  return built;
}

}  // namespace sp::tls

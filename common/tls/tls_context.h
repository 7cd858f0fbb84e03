#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/tls/tls_settings.h"

namespace asio::ssl {
class context;
}

namespace sp::tls {

// What the TLS settings make: the context a TLS port serves with and the one the links
// connect with. Established connections keep the context they started with (OpenSSL counts
// its references), so replacing these is how certificates are reloaded without dropping
// anyone.
struct TlsContexts {
  std::shared_ptr<asio::ssl::context> server;  // null: no TLS port wanted
  std::shared_ptr<asio::ssl::context> client;  // null: links in the clear
  // notAfter of the served certificate (Unix seconds; 0 when there is none).
  std::int64_t server_cert_not_after = 0;
};

// Builds the contexts as Redis's tlsConfigure does (its checks, its error words): `serve`
// for a TLS port, `connect` for TLS links (settings.replication). An error names the
// setting or the file and OpenSSL's reason; nothing is built then.
struct BuiltContexts {
  TlsContexts contexts;
  std::string error;
};
BuiltContexts build_contexts(const TlsSettings& settings, bool serve, bool connect);

}  // namespace sp::tls

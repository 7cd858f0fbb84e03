#pragma once

#include <memory>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>

namespace sp::tls {
class TlsStore;
}

namespace sp::proxy {

// TLS, per set of contexts (`scope`: "proxy" for the client port and the links to the
// master, "sentinel" for the sentinel port and the engine's links): handshakes done,
// handshakes failed by reason, certificate reloads, and the seconds left until the
// served certificate's notAfter (negative once it has expired).
using TlsScope = std::pair<const char*, std::shared_ptr<tls::TlsStore>>;
void add_tls_metrics(std::vector<prometheus::MetricFamily>& out,
                     const std::vector<TlsScope>& scopes);

}  // namespace sp::proxy

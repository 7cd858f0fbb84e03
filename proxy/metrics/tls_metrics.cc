#include "proxy/metrics/tls_metrics.h"

#include <chrono>
#include <string>

#include "common/tls/tls_store.h"
#include "proxy/metrics/metric_family.h"

namespace sp::proxy {

using prometheus::MetricType;

void add_tls_metrics(std::vector<prometheus::MetricFamily>& out,
                     const std::vector<TlsScope>& scopes) {
  auto handshakes = family("sentinel_proxy_tls_handshakes_total",
                           "TLS handshakes completed (TLS ports and links).", MetricType::Counter);
  auto failures = family("sentinel_proxy_tls_handshake_failures_total",
                         "TLS handshakes that failed, by reason.", MetricType::Counter);
  auto reloads = family("sentinel_proxy_tls_reloads_total",
                        "Certificates and TLS settings read again (SIGHUP).", MetricType::Counter);
  auto expiry = family("sentinel_proxy_tls_certificate_expiry_seconds",
                       "Seconds until the served certificate's notAfter (negative: expired).",
                       MetricType::Gauge);
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  bool any = false;
  for (const auto& [scope, store] : scopes) {
    if (!store) continue;
    any = true;
    handshakes.metric.push_back(
        sample(static_cast<double>(store->handshakes()), MetricType::Counter, {{"scope", scope}}));
    for (std::size_t k = 0; k < tls::kHandshakeFailureKinds; ++k) {
      const auto kind = static_cast<tls::HandshakeFailure>(k);
      failures.metric.push_back(
          sample(static_cast<double>(store->failures(kind)), MetricType::Counter,
                 {{"reason", std::string(tls::to_string(kind))}, {"scope", scope}}));
    }
    reloads.metric.push_back(
        sample(static_cast<double>(store->reloads()), MetricType::Counter, {{"scope", scope}}));
    if (const auto not_after = store->server_cert_not_after(); not_after != 0) {
      expiry.metric.push_back(
          sample(static_cast<double>(not_after - now), MetricType::Gauge, {{"scope", scope}}));
    }
  }
  if (!any) return;
  out.push_back(std::move(handshakes));
  out.push_back(std::move(failures));
  out.push_back(std::move(reloads));
  if (!expiry.metric.empty()) out.push_back(std::move(expiry));
}

}  // namespace sp::proxy

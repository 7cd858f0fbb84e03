#include "proxy/server/drop_in_metrics.h"

#include <chrono>
#include <vector>

#include <prometheus/text_serializer.h>
#include <asio/io_context.hpp>

#include "proxy/metrics/http_endpoint.h"
#include "proxy/metrics/process_metrics.h"
#include "proxy/metrics/sentinel_metrics.h"
#include "proxy/metrics/tls_metrics.h"
#include "sentinel/io/shell/engine_shell.h"

namespace sp::proxy {

std::shared_ptr<void> serve_drop_in_metrics(asio::io_context& io,
                                            sentinel::io::SentinelService& service,
                                            const std::string& bind, std::uint16_t port) {
  const auto started = std::chrono::steady_clock::now();
  HttpEndpoint::Routes routes;
  routes.metrics = [&service, started] {
    std::vector<prometheus::MetricFamily> out;
    add_build_and_uptime(out, started);
    add_process_metrics(out);
    add_sentinel_counts(out, service.hellos_rejected(), service.config_save_failures());
    add_tls_metrics(out, {{"sentinel", service.tls()}});
    add_sentinel_masters(out, service.shell().engine(), sentinel::io::EngineShell::now());
    return prometheus::TextSerializer().Serialize(out);
  };
  routes.not_ready = [&service] {
    return sentinel_not_ready_reason(service.shell().engine(), sentinel::io::EngineShell::now());
  };
  auto endpoint = std::make_shared<HttpEndpoint>(io, bind, port, std::move(routes));
  endpoint->start();
  return endpoint;
}

}  // namespace sp::proxy

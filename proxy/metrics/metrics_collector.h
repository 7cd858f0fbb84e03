#pragma once

#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "proxy/server/proxy_context.h"

namespace sp::proxy {

// Builds the /metrics families on each scrape by summing the workers' counters: the data
// path only ever bumps its own worker's relaxed counters, the scrape does the adding.
class MetricsCollector : public prometheus::Collectable {
 public:
  explicit MetricsCollector(const ProxyContext& context) : context_(context) {}

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const ProxyContext& context_;
};

}  // namespace sp::proxy

#pragma once

#include <string>
#include <utility>
#include <vector>

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>

namespace sp::proxy {

// The two building blocks of every family the collectors export.
inline prometheus::MetricFamily family(std::string name, std::string help,
                                       prometheus::MetricType type) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

// One sample of a counter or a gauge.
inline prometheus::ClientMetric sample(double value, prometheus::MetricType type,
                                       std::vector<prometheus::ClientMetric::Label> labels = {}) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  return m;
}

// A family of one sample, added to `out`.
inline void add_single(std::vector<prometheus::MetricFamily>& out, std::string name,
                       std::string help, prometheus::MetricType type, double value,
                       std::vector<prometheus::ClientMetric::Label> labels = {}) {
  auto f = family(std::move(name), std::move(help), type);
  f.metric.push_back(sample(value, type, std::move(labels)));
  out.push_back(std::move(f));
}

}  // namespace sp::proxy

#include "proxy/failover/failover_metrics.h"

#include <limits>

#include "proxy/metrics/metric_family.h"

namespace sp::proxy {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

ClientMetric histogram(const PhaseHistogram& h, std::string_view phase) {
  ClientMetric m;
  m.label = {{"phase", std::string(phase)}};
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < h.buckets.size(); ++b) {
    cumulative += static_cast<std::uint64_t>(h.buckets[b]);
    ClientMetric::Bucket bucket;
    bucket.cumulative_count = cumulative;
    bucket.upper_bound = b < kFailoverPhaseBounds.size() ? kFailoverPhaseBounds[b]
                                                         : std::numeric_limits<double>::infinity();
    m.histogram.bucket.push_back(bucket);
  }
  m.histogram.sample_count = static_cast<std::uint64_t>(h.count);
  m.histogram.sample_sum = h.sum_seconds;
  return m;
}

}  // namespace

void add_failover_history(std::vector<MetricFamily>& out, const FailoverRecorder& recorder,
                          const std::string& group) {
  const FailoverTotals t = recorder.totals();
  auto outcomes = family("sentinel_proxy_failovers_total",
                         "Failovers of the group seen by this process, by outcome: switched, "
                         "aborted (-failover-abort-*), recovered (the master came back first).",
                         MetricType::Counter);
  const FailoverOutcome kinds[] = {FailoverOutcome::kSwitched, FailoverOutcome::kAborted,
                                   FailoverOutcome::kRecovered};
  for (std::size_t i = 0; i < t.outcomes.size(); ++i) {
    outcomes.metric.push_back(sample(static_cast<double>(t.outcomes[i]), MetricType::Counter,
                                     {{"outcome", std::string(to_string(kinds[i]))}}));
  }
  out.push_back(std::move(outcomes));
  auto phases = family("sentinel_proxy_failover_phase_seconds",
                       "Phases of switched failovers: SDOWN to ODOWN, ODOWN to elected (or the "
                       "switch learned from a peer), elected to promoted, promoted to the "
                       "clients' swap, and start to end.",
                       MetricType::Histogram);
  for (std::size_t p = 0; p < kFailoverPhases; ++p) {
    phases.metric.push_back(histogram(t.phases[p], to_string(static_cast<FailoverPhase>(p))));
  }
  out.push_back(std::move(phases));
  auto lost = family("sentinel_proxy_failover_offset_lost_bytes",
                     "Replication offset lost at the last failover: the old master's last known "
                     "offset minus the promoted replica's (-1 when unknown).",
                     MetricType::Gauge);
  lost.metric.push_back(sample(static_cast<double>(t.last_offset_lost), MetricType::Gauge));
  out.push_back(std::move(lost));
  auto lost_total =
      family("sentinel_proxy_failover_offset_lost_bytes_total",
             "Replication offset lost at promotion, summed over failovers.", MetricType::Counter);
  lost_total.metric.push_back(
      sample(static_cast<double>(t.offset_lost_bytes), MetricType::Counter));
  out.push_back(std::move(lost_total));
  if (!t.config_epoch) return;
  auto epoch = family("sentinel_proxy_master_config_epoch",
                      "Config epoch of the group's master as the sentinel inside knows it.",
                      MetricType::Gauge);
  epoch.metric.push_back(
      sample(static_cast<double>(*t.config_epoch), MetricType::Gauge, {{"group", group}}));
  out.push_back(std::move(epoch));
}

}  // namespace sp::proxy

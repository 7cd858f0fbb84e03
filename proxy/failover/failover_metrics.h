#pragma once

#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "proxy/failover/failover_recorder.h"

namespace sp::proxy {

// The families built from the failover recorder on each scrape: failovers by outcome, the
// phase histogram, the replication offset lost at promotion and the group's config epoch.
void add_failover_history(std::vector<prometheus::MetricFamily>& out,
                          const FailoverRecorder& recorder, const std::string& group);

}  // namespace sp::proxy

#pragma once

#include <vector>

#include <prometheus/metric_family.h>

namespace sp::proxy {

// The standard process metrics Prometheus client libraries export, read from /proc/self:
// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds, process_start_time_seconds. A value /proc does not
// give is left out.
void add_process_metrics(std::vector<prometheus::MetricFamily>& out);

}  // namespace sp::proxy

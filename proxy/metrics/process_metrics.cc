#include "proxy/metrics/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "proxy/metrics/metric_family.h"

namespace sp::proxy {
namespace {

using prometheus::MetricType;

void add(std::vector<prometheus::MetricFamily>& out, const char* name, const char* help,
         MetricType type, double value) {
  auto f = family(name, help, type);
  f.metric.push_back(sample(value, type));
  out.push_back(std::move(f));
}

// Seconds since the epoch at which the system booted (/proc/stat's btime).
double boot_time() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime" && in >> value) return value;
    in.ignore(1 << 16, '\n');
  }
  return -1;
}

}  // namespace

void add_process_metrics(std::vector<prometheus::MetricFamily>& out) {
  // /proc/self/stat: the command name is in parentheses and may hold spaces; the fields
  // after it are numbered from 3 (state).
  std::ifstream stat_file("/proc/self/stat");
  const std::string stat((std::istreambuf_iterator<char>(stat_file)),
                         std::istreambuf_iterator<char>());
  const std::size_t close = stat.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(stat.substr(close + 2));
    std::vector<std::string> f;
    for (std::string v; fields >> v;) f.push_back(v);
    const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
    // Fields 14 utime, 15 stime, 22 starttime, 23 vsize, 24 rss (index = number - 3).
    if (f.size() > 21 && ticks > 0) {
      add(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
          MetricType::Counter, (std::stod(f[11]) + std::stod(f[12])) / ticks);
      add(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge,
          std::stod(f[20]));
      add(out, "process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge,
          std::stod(f[21]) * page);
      if (const double boot = boot_time(); boot >= 0) {
        add(out, "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.", MetricType::Gauge,
            boot + std::stod(f[19]) / ticks);
      }
    }
  }
  std::error_code ec;
  double fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++fds;
  }
  if (!ec) add(out, "process_open_fds", "Number of open file descriptors.", MetricType::Gauge, fds);
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    add(out, "process_max_fds", "Maximum number of open file descriptors.", MetricType::Gauge,
        static_cast<double>(limit.rlim_cur));
  }
}

}  // namespace sp::proxy

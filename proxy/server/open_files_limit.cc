#include "proxy/server/open_files_limit.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

namespace sp::proxy {
namespace {

// Redis keeps 32 (CONFIG_MIN_RESERVED_FDS); the sentinel inside adds a link per instance.
constexpr rlim_t kReservedFiles = 64;

rlim_t files_for(std::uint32_t clients, unsigned files_per_client) {
  return static_cast<rlim_t>(clients) * files_per_client + kReservedFiles;
}

}  // namespace

std::uint32_t fit_maxclients_to_open_files(std::uint32_t maxclients, unsigned files_per_client) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return maxclients;
  const rlim_t wanted = files_for(maxclients, files_per_client);
  if (limit.rlim_cur >= wanted) return maxclients;
  // Try the whole need first, then less, down to what is set now (Redis steps down by 16).
  const rlim_t ceiling =
      limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
  int last_error = 0;
  for (rlim_t attempt = ceiling; attempt > limit.rlim_cur;
       attempt = attempt > 16 ? attempt - 16 : 0) {
    rlimit raised = limit;
    raised.rlim_cur = attempt;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      limit.rlim_cur = attempt;
      break;
    }
    last_error = errno;
  }
  if (limit.rlim_cur >= wanted) return maxclients;
  const auto fitting =
      limit.rlim_cur > kReservedFiles
          ? static_cast<std::uint32_t>((limit.rlim_cur - kReservedFiles) / files_per_client)
          : 1u;
  spdlog::warn("You requested maxclients of {} requiring at least {} max file descriptors.",
               maxclients, static_cast<unsigned long long>(wanted));
  if (last_error != 0) {
    spdlog::warn("Server can't set maximum open files to {} because of OS error: {}.",
                 static_cast<unsigned long long>(wanted), std::strerror(last_error));
  }
  spdlog::warn(
      "Current maximum open files is {}. maxclients has been reduced to {} to compensate for "
      "low ulimit. If you need higher maxclients increase 'ulimit -n'.",
      static_cast<unsigned long long>(limit.rlim_cur), fitting);
  return fitting;
}

}  // namespace sp::proxy

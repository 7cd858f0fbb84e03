#include "proxy/minority_fence.h"

#include <spdlog/spdlog.h>

namespace sp::proxy {
namespace {

constexpr auto kCheckPeriod = std::chrono::milliseconds(100);

}  // namespace

MinorityFence::MinorityFence(asio::any_io_executor executor, std::function<bool()> reaches_majority,
                             TopologyRegistry& registry, std::string group)
    : timer_(executor),
      reaches_majority_(std::move(reaches_majority)),
      registry_(registry),
      group_(std::move(group)) {}

void MinorityFence::start() {
  timer_.expires_after(kCheckPeriod);
  timer_.async_wait([this](const std::error_code& ec) {
    if (ec || stopped_) return;
    check();
    start();
  });
}

void MinorityFence::stop() {
  stopped_ = true;
  timer_.cancel();
}

void MinorityFence::check() {
  const bool fenced = !reaches_majority_();
  if (!registry_.set_writes_fenced(fenced)) return;
  if (fenced) {
    spdlog::warn(
        "writes to '{}' refused: the sentinel cannot reach a majority of its group's "
        "sentinels (fence-on-minority)",
        group_);
  } else {
    spdlog::warn("writes to '{}' accepted again: the sentinel reaches a majority", group_);
  }
}

}  // namespace sp::proxy

#include "proxy/engine_watch.h"

#include <spdlog/spdlog.h>

#include "proxy/master_notice.h"
#include "proxy/master_updates.h"

namespace sp::proxy {
namespace {

constexpr auto kCheckPeriod = std::chrono::milliseconds(100);

}  // namespace

EngineWatch::EngineWatch(asio::any_io_executor executor, std::function<View()> view,
                         TopologyRegistry& registry, std::string group, bool fence_on_minority)
    : timer_(executor),
      view_(std::move(view)),
      registry_(registry),
      group_(std::move(group)),
      fence_on_minority_(fence_on_minority) {}

void EngineWatch::start() {
  timer_.expires_after(kCheckPeriod);
  timer_.async_wait([this](const std::error_code& ec) {
    if (ec || stopped_) return;
    check();
    start();
  });
}

void EngineWatch::stop() {
  stopped_ = true;
  timer_.cancel();
}

void EngineWatch::check() {
  const View view = view_();
  if (end_unwanted_hold(registry_, view.master_ip, view.master_port, view.hold_wanted)) {
    log_hold_change(group_, false);
  }
  if (!fence_on_minority_) return;
  const bool fenced = !view.reaches_majority;
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

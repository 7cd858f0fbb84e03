#include "proxy/server/worker.h"

#include <asio/co_spawn.hpp>
#include <asio/post.hpp>

#include "common/asio_util.h"

namespace sp::proxy {

Worker::Worker(std::size_t index, ProxyContext& context)
    : context_(context),
      stats_(*context.worker_stats.at(index)),
      topology_(context.registry.current()),
      settings_(context.settings.current()),
      work_(io_.get_executor()),
      links_(io_.get_executor(), stats_, settings_, context.tls.get()),
      cron_(io_) {}

Worker::~Worker() {
  stop_and_join();
}

void Worker::start() {
  asio::co_spawn(io_, cron_loop(this), LogStrayException{"worker cron"});
  thread_ = std::thread([this] { io_.run(); });
}

void Worker::stop_and_join() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void Worker::end_serving() {
  draining_ = true;
  work_.reset();  // run() returns once the last session is gone
  cron_.cancel();
}

void Worker::drain() {
  asio::post(io_, [this] {
    end_serving();
    sessions_.drain_all();
  });
}

void Worker::leave_when_idle() {
  asio::post(io_, [this] {
    end_serving();
    asio::co_spawn(io_, leave_loop(this), LogStrayException{"worker leave loop"});
  });
}

asio::awaitable<void> Worker::leave_loop(Worker* worker) {
  asio::steady_timer tick(worker->io_);
  while (!worker->sessions_.empty()) {
    worker->sessions_.leave_when_idle(std::chrono::steady_clock::now());
    tick.expires_after(std::chrono::milliseconds(20));
    co_await tick.async_wait(use_nothrow);
  }
}

void Worker::publish(TopologyPtr topology) {
  asio::post(io_, [this, topology = std::move(topology)]() mutable {
    topology_ = std::move(topology);
    links_.on_topology(*topology_);  // first: sessions moving now get links to the new one
    sessions_.topology_changed();
  });
}

void Worker::apply_settings(ConfigPtr settings) {
  asio::post(io_, [this, settings = std::move(settings)]() mutable {
    settings_ = std::move(settings);
    sessions_.settings_changed();
  });
}

asio::awaitable<void> Worker::cron_loop(Worker* worker) {
  while (!worker->draining_) {
    worker->cron_.expires_after(std::chrono::seconds(1));
    auto [ec] = co_await worker->cron_.async_wait(use_nothrow);
    if (ec || worker->draining_) co_return;
    worker->sessions_.cron(std::chrono::steady_clock::now());
    worker->links_.on_cron();
  }
}

}  // namespace sp::proxy

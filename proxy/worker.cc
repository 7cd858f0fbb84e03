#include "proxy/worker.h"

#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/post.hpp>

#include "common/asio_util.h"
#include "proxy/session.h"

namespace sp::proxy {

Worker::Worker(std::size_t index, ProxyContext& context)
    : index_(index),
      context_(context),
      stats_(*context.worker_stats.at(index)),
      topology_(context.registry.current()),
      work_(io_.get_executor()),
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

void Worker::drain() {
  asio::post(io_, [this] {
    draining_ = true;
    work_.reset();
    std::error_code ec;
    cron_.cancel();
    // Copied: a session may remove itself while draining.
    std::vector<std::shared_ptr<Session>> sessions;
    for (Session* s : sessions_) sessions.push_back(s->shared_from_this());
    for (auto& s : sessions) s->drain();
  });
}

void Worker::publish(TopologyPtr topology) {
  asio::post(io_, [this, topology = std::move(topology)]() mutable {
    topology_ = std::move(topology);
    // Copied: a session may close (and remove itself) while it reacts.
    std::vector<std::shared_ptr<Session>> sessions;
    sessions.reserve(sessions_.size());
    for (Session* s : sessions_) sessions.push_back(s->shared_from_this());
    for (auto& s : sessions) s->on_topology();
  });
}

asio::awaitable<void> Worker::cron_loop(Worker* worker) {
  while (!worker->draining_) {
    worker->cron_.expires_after(std::chrono::seconds(1));
    auto [ec] = co_await worker->cron_.async_wait(use_nothrow);
    if (ec || worker->draining_) co_return;
    const auto now = Clock::now();
    std::vector<std::shared_ptr<Session>> sessions;
    sessions.reserve(worker->sessions_.size());
    for (Session* s : worker->sessions_) sessions.push_back(s->shared_from_this());
    for (auto& s : sessions) s->on_cron(now);
  }
}

}  // namespace sp::proxy

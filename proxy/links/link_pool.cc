#include "proxy/links/link_pool.h"

#include <algorithm>

#include <asio/ip/address.hpp>

#include "proxy/config/settings_registry.h"

namespace sp::proxy {

LinkPool::LinkPool(asio::any_io_executor executor, WorkerStats& stats, const ConfigPtr& settings,
                   tls::TlsStore* tls)
    : executor_(std::move(executor)),
      stats_(stats),
      settings_(settings),
      tls_(tls),
      links_(settings->backend_pool_size) {}

bool LinkPool::serves(const Topology& topology) const {
  return topology.master_ip == ip_ && topology.master_port == port_ && topology.epoch == epoch_;
}

void LinkPool::retire_all() {
  for (auto& link : links_) {
    if (!link) continue;
    // One still opening is given up: its waiters try the new master.
    if (link->opening()) link->close("a newer master was published");
    link->retire();
    if (!link->closed()) retired_.push_back(std::move(link));
    link.reset();
  }
}

void LinkPool::on_topology(const Topology& topology) {
  if (serves(topology)) return;
  retire_all();
  ip_ = topology.master_ip;
  port_ = topology.master_port;
  epoch_ = topology.epoch;
}

void LinkPool::on_cron() {
  for (auto& link : retired_) link->check_retired();
  std::erase_if(retired_, [](const auto& link) { return link->closed(); });
}

asio::awaitable<std::shared_ptr<SharedLink>> LinkPool::acquire(const Topology& topology,
                                                               std::string& why) {
  // A session may attach with a snapshot older than the last one published to the worker;
  // it then gets no link: its move follows.
  if (links_.empty()) co_return nullptr;
  if (!serves(topology)) {
    if (topology.epoch < epoch_) {
      why = "a newer master was published";
      co_return nullptr;
    }
    on_topology(topology);
  }
  // A session saw this master refuse a write: it is a replica now, whichever link said so.
  // Every link to it goes; a new one checks ROLE before anyone uses it.
  if (std::any_of(links_.begin(), links_.end(), [](const auto& l) { return l && l->demoted(); })) {
    retire_all();
  }
  const std::size_t slot = next_++ % links_.size();
  std::shared_ptr<SharedLink> link = links_[slot];
  if (link && link->opening()) {
    co_await link->wait_open();
  } else if (!link || !link->usable()) {
    std::error_code ec;
    const auto address = asio::ip::make_address(topology.master_ip, ec);
    if (ec) {
      why = ec.message();
      co_return nullptr;
    }
    if (link) {
      link->retire();  // closed: nothing; demoted: its last replies still reach their sessions
      if (!link->closed()) retired_.push_back(link);
    }
    link = std::make_shared<SharedLink>(executor_, stats_, settings_, tls_);
    links_[slot] = link;
    why = co_await link->open(asio::ip::tcp::endpoint(address, topology.master_port));
  }
  if (!link->usable()) {
    if (why.empty()) why = link->failure().empty() ? "connection lost" : link->failure();
    if (slot < links_.size() && links_[slot] == link) links_[slot].reset();
    co_return nullptr;
  }
  co_return link;
}

}  // namespace sp::proxy

#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "proxy/links/shared_link.h"
#include "proxy/topology/topology.h"

namespace sp::tls {
class TlsStore;
}

namespace sp::proxy {

// A worker's shared connections to the master (backend-pool-size of them), handed to its
// pooled sessions in turn. They are opened when first needed, opened again when one is
// lost, and retired when a new master is published: those to the old one close once
// their last reply is in.
class LinkPool {
 public:
  // `settings`: the worker's, swapped there at each change (new links take them).
  LinkPool(asio::any_io_executor executor, WorkerStats& stats, const ConfigPtr& settings,
           tls::TlsStore* tls);

  // A usable link to `topology`'s master: nullptr, with the reason in `why`, when none
  // can be had now.
  asio::awaitable<std::shared_ptr<SharedLink>> acquire(const Topology& topology, std::string& why);
  // A new master (or epoch) was published: links to the one before retire.
  void on_topology(const Topology& topology);
  // Once a second: retired links that no session awaits any more close.
  void on_cron();

 private:
  bool serves(const Topology& topology) const;
  void retire_all();

  asio::any_io_executor executor_;
  WorkerStats& stats_;
  const ConfigPtr& settings_;
  tls::TlsStore* tls_;
  std::vector<std::shared_ptr<SharedLink>> links_;
  std::vector<std::shared_ptr<SharedLink>> retired_;  // still delivering their last replies
  std::string ip_;
  std::uint16_t port_ = 0;
  std::uint64_t epoch_ = 0;
  std::size_t next_ = 0;
};

}  // namespace sp::proxy

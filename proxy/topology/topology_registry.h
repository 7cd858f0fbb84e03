#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "proxy/topology/topology.h"

namespace sp::proxy {

// The one place a topology change enters the data path. Publishers (today the static
// `upstream` directive, later the sentinel engine) call publish(); each worker subscribed
// with a function that posts the snapshot onto its own thread, so workers swap a pointer
// in one handler and never lock on the data path. Only publish() and subscribe() lock.
class TopologyRegistry {
 public:
  using Subscriber = std::function<void(const TopologyPtr&)>;

  // Takes the snapshot if its epoch is higher than the current one (or it is the first),
  // and hands it to every subscriber. False, and nothing changes, otherwise — with one
  // exception. `engine_epoch` is given for a master named by this process's own sentinel:
  // its current epoch now. Every epoch the registry took from that engine was a config
  // epoch it had, never above its current epoch then, and its current epoch only rises; so
  // a current epoch *below* the registry's says the gate no longer orders anything the
  // engine does (its epoch wrapped, or the gate came from a config epoch a forged hello
  // set above the current one). Refusing would hold clients forever while the engine
  // knows where the master is, so a different master is then taken, renumbered to the
  // current epoch + 1: sessions move to a snapshot with a higher epoch. A merely stale
  // announcement (its config epoch below the gate, the engine's current epoch not) is
  // still refused.
  bool publish(TopologyPtr topology, std::optional<std::uint64_t> engine_epoch = std::nullopt);

  // Republishes the current snapshot with `failover_in_progress` changed (same master,
  // same epoch). False, and nothing changes, when it already says so or there is none.
  bool set_failover_in_progress(bool in_progress);
  // The same for `writes_fenced` (fence-on-minority).
  bool set_writes_fenced(bool fenced);

  // `subscriber` is called at once with the current snapshot (if any), then on each change,
  // from the publishing thread: it must only hand the snapshot over (e.g. asio::post).
  void subscribe(Subscriber subscriber);

  TopologyPtr current() const;

 private:
  // Republishes the current snapshot with `flag` set to `value`; false when unchanged.
  bool republish_with(bool Topology::*flag, bool value);

  mutable std::mutex mutex_;
  TopologyPtr current_;
  std::vector<Subscriber> subscribers_;
};

}  // namespace sp::proxy

#pragma once

#include <functional>
#include <mutex>
#include <vector>

#include "proxy/topology.h"

namespace sp::proxy {

// The one place a topology change enters the data path. Publishers (today the static
// `upstream` directive, later the sentinel engine) call publish(); each worker subscribed
// with a function that posts the snapshot onto its own thread, so workers swap a pointer
// in one handler and never lock on the data path. Only publish() and subscribe() lock.
class TopologyRegistry {
 public:
  using Subscriber = std::function<void(const TopologyPtr&)>;

  // Who names the master, and so which snapshots the registry takes from it.
  enum class Source {
    // A source that may lag or race another (follow mode asks several sentinels in
    // turn): only a higher config epoch is newer.
    kAny,
    // This process's own sentinel. Its engine already applied Sentinel's epoch rules and
    // hands over its view in order, so its latest master is the current one even at a
    // config epoch not above the last: the engine's own promotion assigns its failover
    // epoch, which is lower than a config epoch adopted earlier from an out-of-range or
    // forged hello, and an epoch that wrapped would be 0. Refusing it would hold clients
    // forever while the engine knows where the master is.
    kOwnEngine,
  };

  // Takes the snapshot if its epoch is higher than the current one (or it is the first),
  // and hands it to every subscriber. From kOwnEngine, a different master at an epoch not
  // above the current one is taken too, at the current epoch + 1: sessions move to a
  // snapshot with a higher epoch, so the order of snapshots must keep rising even when the
  // engine's config epochs do not. False, and nothing changes, otherwise.
  bool publish(TopologyPtr topology, Source source = Source::kAny);

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

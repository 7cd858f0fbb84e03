#pragma once

#include <string>

#include "proxy/topology/topology_registry.h"
#include "sentinel/served_view.h"

namespace sp::proxy {

// The one way a sentinel's decisions reach the data path: turns each ServedView of the
// served group (the sentinel inside, or a followed one) into topology snapshots. No Asio:
// the simulation runs this very class against its engines.
class ServedViewBridge {
 public:
  // `fence_on_minority`: the directive; writes are fenced while the view's sentinel does
  // not reach a majority.
  ServedViewBridge(TopologyRegistry& registry, bool fence_on_minority)
      : registry_(registry), fence_on_minority_(fence_on_minority) {}

  // Brings the registry in line with `view`: a master other than the one sessions use is
  // published (the registry's epoch gate decides) with the view's hold and fence; for the
  // master sessions use, the hold is set as the view says. A hold never applies to another
  // master than the one routed to: a view the gate refused (a stale announcement) must not
  // make the clients of a newer master wait. The fence follows the view whatever master
  // is routed to: it says where this sentinel stands, not where the master is. Every
  // change is logged. True when sessions were routed to a new master.
  bool apply(const sentinel::ServedView& view);

  // fence-on-minority changed at run time (PROXY CONFIG SET): the fence follows the last
  // view at once, not only from the next one.
  void set_fence_on_minority(bool on);

 private:
  TopologyRegistry& registry_;
  bool fence_on_minority_;
  std::string group_;             // of the last view
  bool reaches_majority_ = true;  // the last view's
};

}  // namespace sp::proxy

#pragma once

#include <string>

#include "sentinel/address.h"
#include "sentinel/instance.h"

namespace sp::sentinel {

// Names one instance of one group on the wire: the shell keeps one link per
// endpoint. A peer sentinel known under several groups appears once per group;
// the shell may share the physical connection (Sentinel's link refcount).
struct Endpoint {
  std::string group;
  InstanceKind kind = InstanceKind::kMaster;
  Address addr;

  bool operator==(const Endpoint&) const = default;
};

}  // namespace sp::sentinel

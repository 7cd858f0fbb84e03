#pragma once

#include "sentinel/hostnames.h"
#include "sentinel/instance.h"
#include "sentinel/notice.h"

namespace sp::sentinel {

// How the engine fills a Notice from its state. Addresses are taken in their announced
// form (hostnames with announce-hostnames), the master's as configured.

ShownAddress shown_address(const Address& addr, const HostnamePolicy& policy);

// An event about `group` with no instance of its own (+new-epoch, +vote-for-leader,
// +switch-master): the group and its master are set.
Notice group_notice(NoticeKind kind, const Group& group, const HostnamePolicy& policy);

// An event about `instance` of `group` (Sentinel's "%@" events).
Notice instance_notice(NoticeKind kind, const Group& group, const Instance& instance,
                       const HostnamePolicy& policy);

}  // namespace sp::sentinel

#include "sentinel/notices.h"

namespace sp::sentinel {

ShownAddress shown_address(const Address& addr, const HostnamePolicy& policy) {
  return ShownAddress{announced_host(addr, policy), addr.port};
}

Notice group_notice(NoticeKind kind, const Group& group, const HostnamePolicy& policy) {
  Notice n;
  n.kind = kind;
  n.group = group.config.name;
  n.master = shown_address(group.master.addr, policy);
  return n;
}

Notice instance_notice(NoticeKind kind, const Group& group, const Instance& instance,
                       const HostnamePolicy& policy) {
  Notice n = group_notice(kind, group, policy);
  n.subject = NoticeInstance{instance.kind, instance.name, shown_address(instance.addr, policy)};
  return n;
}

}  // namespace sp::sentinel

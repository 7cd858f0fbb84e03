#include "sentinel/notices.h"

namespace sp::sentinel {

std::string instance_details(const Group& group, const Instance& instance,
                             const HostnamePolicy& policy) {
  std::string text(to_string(instance.kind));
  text += ' ';
  text += instance.name;
  text += ' ';
  text += announced_host(instance.addr, policy);
  text += ' ';
  text += std::to_string(instance.addr.port);
  if (instance.kind != InstanceKind::kMaster) {
    text += " @ ";
    text += group.master.name;
    text += ' ';
    text += announced_host(group.master.addr, policy);
    text += ' ';
    text += std::to_string(group.master.addr.port);
  }
  return text;
}

}  // namespace sp::sentinel

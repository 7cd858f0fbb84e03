#include "sentinel/notices.h"

namespace sp::sentinel {

std::string instance_details(const Group& group, const Instance& instance) {
  std::string text(to_string(instance.kind));
  text += ' ';
  text += instance.name;
  text += ' ';
  text += instance.addr.ip;
  text += ' ';
  text += std::to_string(instance.addr.port);
  if (instance.kind != InstanceKind::kMaster) {
    text += " @ ";
    text += group.master.name;
    text += ' ';
    text += group.master.addr.ip;
    text += ' ';
    text += std::to_string(group.master.addr.port);
  }
  return text;
}

}  // namespace sp::sentinel

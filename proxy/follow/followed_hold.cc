#include "proxy/follow/followed_hold.h"

namespace sp::proxy {
namespace {

bool about_served_master(const sentinel::Notice& notice, const sentinel::ServedView& view) {
  if (notice.group != view.group || !notice.subject ||
      notice.subject->kind != sentinel::InstanceKind::kMaster) {
    return false;
  }
  const sentinel::ShownAddress& shown = notice.subject->addr;
  return shown.port == view.master.port &&
         (shown.host == view.master.host() || shown.host == view.master.ip);
}

}  // namespace

std::optional<bool> followed_hold(const sentinel::Notice& notice,
                                  const sentinel::ServedView& view) {
  using sentinel::NoticeKind;
  if (!about_served_master(notice, view)) return std::nullopt;
  switch (notice.kind) {
    case NoticeKind::kOdown:
    case NoticeKind::kTryFailover:
      return true;
    case NoticeKind::kOdownEnded:
    case NoticeKind::kSdownEnded:
      return false;
    default:
      return std::nullopt;
  }
}

}  // namespace sp::proxy

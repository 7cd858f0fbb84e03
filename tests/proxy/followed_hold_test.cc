// Which notices of a followed sentinel hold or release the proxy's clients: only the
// group's agreement about the master the view serves.

#include "proxy/follow/followed_hold.h"

#include <gtest/gtest.h>

namespace sp::proxy {
namespace {

using K = sentinel::NoticeKind;

sentinel::ServedView serving(int port) {
  sentinel::ServedView view;
  view.group = "mymaster";
  view.master = {"127.0.0.1", port};
  return view;
}

sentinel::Notice about(K kind, int port, const std::string& group = "mymaster") {
  return sentinel::master_notice(kind, group, {"127.0.0.1", port});
}

TEST(FollowedHold, OnlyTheGroupsAgreementHolds) {
  const auto view = serving(6379);
  EXPECT_EQ(followed_hold(about(K::kOdown, 6379), view), true);
  EXPECT_EQ(followed_hold(about(K::kTryFailover, 6379), view), true);
  EXPECT_EQ(followed_hold(about(K::kOdownEnded, 6379), view), false);
  EXPECT_EQ(followed_hold(about(K::kSdownEnded, 6379), view), false);
  // One sentinel's own +sdown: it stands elsewhere.
  EXPECT_EQ(followed_hold(about(K::kSdown, 6379), view), std::nullopt);
  EXPECT_EQ(followed_hold(about(K::kSwitchMaster, 6379), view), std::nullopt);
}

TEST(FollowedHold, OnlyAboutTheServedMaster) {
  const auto view = serving(6380);
  // A late notice about the master just replaced, another port, another group.
  EXPECT_EQ(followed_hold(about(K::kOdown, 6379), view), std::nullopt);
  EXPECT_EQ(followed_hold(about(K::kOdown, 63800), view), std::nullopt);
  EXPECT_EQ(followed_hold(about(K::kOdown, 6380, "other"), view), std::nullopt);
  sentinel::Notice replica = about(K::kOdown, 6380);
  replica.subject = sentinel::NoticeInstance{
      sentinel::InstanceKind::kReplica, "127.0.0.1:6380", {"127.0.0.1", 6380}};
  EXPECT_EQ(followed_hold(replica, view), std::nullopt);
  // With announce-hostnames the notice shows the hostname.
  sentinel::ServedView named = view;
  named.master.hostname = "redis-a";
  EXPECT_EQ(followed_hold(sentinel::master_notice(K::kOdown, "mymaster", {"redis-a", 6380}), named),
            true);
  EXPECT_EQ(followed_hold(about(K::kOdown, 6380), named), true);  // or its IP
}

}  // namespace
}  // namespace sp::proxy

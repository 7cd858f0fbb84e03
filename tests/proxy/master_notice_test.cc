// Which sentinel notices hold or release the proxy's clients: only those about the master
// sessions use now, and from a followed sentinel only the group's agreement holds them.

#include "proxy/master_notice.h"

#include <gtest/gtest.h>

#include <memory>

namespace sp::proxy {
namespace {

TopologyPtr on(std::uint16_t port, std::uint64_t epoch = 1) {
  auto t = std::make_shared<Topology>();
  t->group = "mymaster";
  t->master_host = t->master_ip = "127.0.0.1";
  t->master_port = port;
  t->epoch = epoch;
  return t;
}

using K = sentinel::NoticeKind;

sentinel::Notice about(K kind, int port, const std::string& group = "mymaster") {
  return sentinel::master_notice(kind, group, {"127.0.0.1", port});
}

TEST(MasterNotice, NamesTheCurrentMasterByHostOrIp) {
  const auto t = on(6379);
  EXPECT_TRUE(names_current_master(about(K::kSdown, 6379), *t));
  EXPECT_FALSE(names_current_master(about(K::kSdown, 63790), *t));
  EXPECT_FALSE(names_current_master(about(K::kSdown, 6380), *t));
  EXPECT_FALSE(names_current_master(about(K::kSdown, 6379, "other"), *t));
  sentinel::Notice replica = about(K::kSdown, 6380);
  replica.subject = sentinel::NoticeInstance{
      sentinel::InstanceKind::kReplica, "127.0.0.1:6379", {"127.0.0.1", 6379}};
  EXPECT_FALSE(names_current_master(replica, *t));
  // With announce-hostnames the notice shows the hostname.
  Topology named = *t;
  named.master_host = "redis-a";
  EXPECT_TRUE(names_current_master(
      sentinel::master_notice(K::kSdown, "mymaster", {"redis-a", 6379}), named));
  // +vote-for-leader names no instance: the group's master it is about.
  sentinel::Notice vote{.kind = K::kVoteForLeader};
  vote.group = "mymaster";
  vote.master = {"127.0.0.1", 6379};
  EXPECT_TRUE(names_current_master(vote, *t));
  vote.master.port = 6380;
  EXPECT_FALSE(names_current_master(vote, *t));
}

TEST(MasterNotice, OwnSentinelHoldsFromSdownFollowedOnlyFromOdown) {
  EXPECT_EQ(hold_wanted(K::kSdown, NoticeSource::kOwnSentinel), true);
  EXPECT_EQ(hold_wanted(K::kSdown, NoticeSource::kFollowedSentinel), std::nullopt);
  EXPECT_EQ(hold_wanted(K::kVoteForLeader, NoticeSource::kOwnSentinel), true);
  EXPECT_EQ(hold_wanted(K::kVoteForLeader, NoticeSource::kFollowedSentinel), std::nullopt);
  for (auto source : {NoticeSource::kOwnSentinel, NoticeSource::kFollowedSentinel}) {
    EXPECT_EQ(hold_wanted(K::kOdown, source), true);
    EXPECT_EQ(hold_wanted(K::kTryFailover, source), true);
    EXPECT_EQ(hold_wanted(K::kSdownEnded, source), false);
    EXPECT_EQ(hold_wanted(K::kSwitchMaster, source), std::nullopt);
  }
  EXPECT_EQ(hold_wanted(K::kOdownEnded, NoticeSource::kFollowedSentinel), false);
  EXPECT_EQ(hold_wanted(K::kOdownEnded, NoticeSource::kOwnSentinel), std::nullopt);
}

TEST(MasterNotice, AppliesOnlyToTheCurrentMaster) {
  TopologyRegistry registry;
  registry.publish(on(6380, 2));
  const auto followed = NoticeSource::kFollowedSentinel;
  // A late notice about the master just replaced.
  EXPECT_EQ(apply_master_notice(registry, about(K::kOdown, 6379), followed), std::nullopt);
  EXPECT_FALSE(registry.current()->failover_in_progress);
  EXPECT_EQ(apply_master_notice(registry, about(K::kOdown, 6380), followed), true);
  EXPECT_TRUE(registry.current()->failover_in_progress);
  EXPECT_EQ(apply_master_notice(registry, about(K::kTryFailover, 6380), followed),
            std::nullopt);  // already held: no change to report
  EXPECT_EQ(apply_master_notice(registry, about(K::kOdownEnded, 6380), followed), false);
  EXPECT_FALSE(registry.current()->failover_in_progress);
  EXPECT_EQ(registry.current()->epoch, 2u);
}

// A hold its sentinel still asks for (a vote for a failover of the master is pending)
// outlives -sdown, and ends once the sentinel no longer asks for it.
TEST(MasterNotice, AHoldStillWantedOutlivesSdownUntilNoLongerWanted) {
  TopologyRegistry registry;
  registry.publish(on(6380, 2));
  const auto own = NoticeSource::kOwnSentinel;
  sentinel::Notice vote{.kind = K::kVoteForLeader};
  vote.group = "mymaster";
  vote.master = {"127.0.0.1", 6380};
  vote.run_id = "a-peer";
  vote.epoch = 3;
  EXPECT_EQ(apply_master_notice(registry, vote, own), true);
  EXPECT_EQ(apply_master_notice(registry, about(K::kSdownEnded, 6380), own, /*keep_holding=*/true),
            std::nullopt);
  EXPECT_TRUE(registry.current()->failover_in_progress);
  EXPECT_FALSE(end_unwanted_hold(registry, "127.0.0.1", 6380, /*wanted=*/true));
  EXPECT_FALSE(end_unwanted_hold(registry, "127.0.0.1", 6379, false));  // not its master
  EXPECT_TRUE(registry.current()->failover_in_progress);
  EXPECT_TRUE(end_unwanted_hold(registry, "127.0.0.1", 6380, false));
  EXPECT_FALSE(registry.current()->failover_in_progress);
  EXPECT_FALSE(end_unwanted_hold(registry, "127.0.0.1", 6380, false));  // nothing to end
}

}  // namespace
}  // namespace sp::proxy

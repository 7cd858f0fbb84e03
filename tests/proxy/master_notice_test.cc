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

TEST(MasterNotice, NamesTheCurrentMasterWithOrWithoutTrailingWords) {
  const auto t = on(6379);
  EXPECT_TRUE(names_current_master("master mymaster 127.0.0.1 6379", *t));
  EXPECT_TRUE(names_current_master("master mymaster 127.0.0.1 6379 #quorum 2/2", *t));
  EXPECT_FALSE(names_current_master("master mymaster 127.0.0.1 63790", *t));
  EXPECT_FALSE(names_current_master("master mymaster 127.0.0.1 6380", *t));
  EXPECT_FALSE(names_current_master("master other 127.0.0.1 6379", *t));
  EXPECT_FALSE(
      names_current_master("slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster 127.0.0.1 6380", *t));
}

TEST(MasterNotice, OwnSentinelHoldsFromSdownFollowedOnlyFromOdown) {
  EXPECT_EQ(hold_wanted("+sdown", NoticeSource::kOwnSentinel), true);
  EXPECT_EQ(hold_wanted("+sdown", NoticeSource::kFollowedSentinel), std::nullopt);
  EXPECT_EQ(hold_wanted("+vote-for-leader", NoticeSource::kOwnSentinel), true);
  EXPECT_EQ(hold_wanted("+vote-for-leader", NoticeSource::kFollowedSentinel), std::nullopt);
  for (auto source : {NoticeSource::kOwnSentinel, NoticeSource::kFollowedSentinel}) {
    EXPECT_EQ(hold_wanted("+odown", source), true);
    EXPECT_EQ(hold_wanted("+try-failover", source), true);
    EXPECT_EQ(hold_wanted("-sdown", source), false);
    EXPECT_EQ(hold_wanted("+switch-master", source), std::nullopt);
  }
  EXPECT_EQ(hold_wanted("-odown", NoticeSource::kFollowedSentinel), false);
  EXPECT_EQ(hold_wanted("-odown", NoticeSource::kOwnSentinel), std::nullopt);
}

TEST(MasterNotice, AppliesOnlyToTheCurrentMaster) {
  TopologyRegistry registry;
  registry.publish(on(6380, 2));
  const auto followed = NoticeSource::kFollowedSentinel;
  // A late notice about the master just replaced.
  EXPECT_EQ(apply_master_notice(registry, "+odown", "master mymaster 127.0.0.1 6379 #quorum 2/2",
                                followed),
            std::nullopt);
  EXPECT_FALSE(registry.current()->failover_in_progress);
  EXPECT_EQ(apply_master_notice(registry, "+odown", "master mymaster 127.0.0.1 6380 #quorum 2/2",
                                followed),
            true);
  EXPECT_TRUE(registry.current()->failover_in_progress);
  EXPECT_EQ(
      apply_master_notice(registry, "+try-failover", "master mymaster 127.0.0.1 6380", followed),
      std::nullopt);  // already held: no change to report
  EXPECT_EQ(apply_master_notice(registry, "-odown", "master mymaster 127.0.0.1 6380", followed),
            false);
  EXPECT_FALSE(registry.current()->failover_in_progress);
  EXPECT_EQ(registry.current()->epoch, 2u);
}

// A hold its sentinel still asks for (a vote for a failover of the master is pending)
// outlives -sdown, and ends once the sentinel no longer asks for it.
TEST(MasterNotice, AHoldStillWantedOutlivesSdownUntilNoLongerWanted) {
  TopologyRegistry registry;
  registry.publish(on(6380, 2));
  const auto own = NoticeSource::kOwnSentinel;
  const std::string master = "master mymaster 127.0.0.1 6380";
  EXPECT_EQ(apply_master_notice(registry, "+vote-for-leader", master + " a-peer 3", own), true);
  EXPECT_EQ(apply_master_notice(registry, "-sdown", master, own, /*keep_holding=*/true),
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

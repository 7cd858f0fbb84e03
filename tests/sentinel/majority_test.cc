#include <gtest/gtest.h>

#include "sentinel/instance.h"

namespace sp::sentinel {
namespace {

Group group_with_peers(int quorum, int peers) {
  Group group;
  group.config.quorum = quorum;
  for (int i = 0; i < peers; ++i) {
    Instance peer;
    peer.kind = InstanceKind::kSentinel;
    peer.link.connected = true;
    group.sentinels.emplace("peer" + std::to_string(i), std::move(peer));
  }
  return group;
}

TEST(ReachesMajority, CountsItselfAndThePeersItCanReach) {
  Group group = group_with_peers(2, 2);
  EXPECT_TRUE(reaches_majority(group));  // 3 of 3
  group.sentinels.at("peer0").s_down = true;
  EXPECT_TRUE(reaches_majority(group));  // 2 of 3
  group.sentinels.at("peer1").link.connected = false;
  EXPECT_FALSE(reaches_majority(group));  // 1 of 3: the minority side
}

TEST(ReachesMajority, ASentinelThatKnowsNoPeerIsNoMajorityUnderAQuorumOfTwo) {
  EXPECT_FALSE(reaches_majority(group_with_peers(2, 0)));
  // A single-sentinel deployment (quorum 1) is never fenced.
  EXPECT_TRUE(reaches_majority(group_with_peers(1, 0)));
}

TEST(ReachesMajority, HalfOfAnEvenGroupIsNotAMajority) {
  Group group = group_with_peers(2, 3);  // four sentinels
  group.sentinels.at("peer0").s_down = true;
  group.sentinels.at("peer1").s_down = true;
  EXPECT_FALSE(reaches_majority(group));  // 2 of 4
}

}  // namespace
}  // namespace sp::sentinel

#include <gtest/gtest.h>

#include "tests/sentinel/engine_fixture.h"

namespace sp::sentinel {
namespace {

using VoteTest = EngineFixture;

TEST_F(VoteTest, FirstAskerOfAnEpochWinsAndStaleAskersGetTheExistingVote) {
  start();
  clear_log();
  auto a = engine_->answer_is_master_down("127.0.0.1", 6379, 1, kPeer1, now_);
  EXPECT_EQ(a, (IsMasterDownAnswer{false, kPeer1, 1}));
  drain();
  // The epoch change and the vote are persisted before the notices go out.
  std::vector<std::string> kinds;
  for (const auto& act : log_) {
    if (std::holds_alternative<PersistState>(act)) kinds.push_back("persist");
    if (const auto* n = std::get_if<Notice>(&act)) kinds.emplace_back(to_string(n->kind));
  }
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"persist", "+new-epoch", "persist", "+vote-for-leader"}));
  EXPECT_TRUE(has_notice("+vote-for-leader", kPeer1 + " 1"));
  EXPECT_EQ(persisted_->current_epoch, 1u);
  EXPECT_EQ(persisted_->groups[0].leader_epoch, 1u);
  // Same epoch, another candidate: the first vote is returned.
  EXPECT_EQ(engine_->answer_is_master_down("127.0.0.1", 6379, 1, kPeer2, now_),
            (IsMasterDownAnswer{false, kPeer1, 1}));
  // Older epoch: no vote, the current one is returned.
  EXPECT_EQ(engine_->answer_is_master_down("127.0.0.1", 6379, 0, kPeer2, now_),
            (IsMasterDownAnswer{false, kPeer1, 1}));
  // Newer epoch: a new vote.
  EXPECT_EQ(engine_->answer_is_master_down("127.0.0.1", 6379, 2, kPeer2, now_),
            (IsMasterDownAnswer{false, kPeer2, 2}));
}

TEST_F(VoteTest, VoteSurvivesARestartFromPersistedState) {
  start();
  engine_->answer_is_master_down("127.0.0.1", 6379, 3, kPeer1, now_);
  drain();
  start();  // rebuilt from persisted_
  EXPECT_EQ(engine_->current_epoch(), 3u);
  auto a = engine_->answer_is_master_down("127.0.0.1", 6379, 3, kPeer2, now_);
  EXPECT_EQ(a.leader_epoch, 3u);
  EXPECT_NE(a.leader, kPeer2);  // no second vote in epoch 3
}

TEST_F(VoteTest, VotingForAnotherSentinelBacksOffOurOwnFailover) {
  start();
  add_peer(kPeer1, 26380);
  add_peer(kPeer2, 26381);
  run_for(ms(1000));
  engine_->answer_is_master_down("127.0.0.1", 6379, 1, kPeer1, now_);
  drain();
  redis_[addr(6379)].alive = false;
  run_for(ms(20000));  // < 2 x failover-timeout (30 s)
  EXPECT_TRUE(has_notice_type("+odown"));
  EXPECT_FALSE(has_notice_type("+try-failover"));
  run_for(ms(12000));
  EXPECT_TRUE(has_notice_type("+try-failover"));
}

TEST_F(VoteTest, ElectionNeedsMajorityOfKnownSentinelsNotJustQuorum) {
  GroupConfig g = default_group();
  g.quorum = 1;
  start(g);
  add_peer(kPeer1, 26380);
  add_peer(kPeer2, 26381);
  for (auto& [a, p] : peers_) p.grants_votes = false;
  run_for(ms(1000));
  redis_[addr(6379)].alive = false;
  run_until_notice("-failover-abort-not-elected", ms(30000));
  EXPECT_FALSE(has_notice_type("+elected-leader"));  // 1 vote of 3 voters
}

TEST_F(VoteTest, VotesForAnOlderEpochDoNotCount) {
  start();
  add_peer(kPeer1, 26380);
  add_peer(kPeer2, 26381);
  run_for(ms(1000));
  redis_[addr(6379)].alive = false;
  // Both peers already voted for us, but in epoch 0... and now refuse.
  for (auto& [a, p] : peers_) {
    p.grants_votes = false;
    p.voted = kMyId;
    p.voted_epoch = 0;
  }
  run_until_notice("-failover-abort-not-elected", ms(30000));
  EXPECT_FALSE(has_notice_type("+elected-leader"));
}

}  // namespace
}  // namespace sp::sentinel

#include <gtest/gtest.h>

#include "tests/sentinel/engine_fixture.h"

namespace sp::sentinel {
namespace {

using DownTest = EngineFixture;

TEST_F(DownTest, SdownAfterDownAfterWithoutReplyAndClearedByPong) {
  start();
  run_for(ms(1000));
  redis_[addr(6379)].alive = false;
  run_for(ms(3000));
  EXPECT_FALSE(has_notice_type("+sdown"));
  run_for(ms(1200));
  EXPECT_TRUE(has_notice("+sdown", "master mymaster 127.0.0.1 6379"));
  redis_[addr(6379)].alive = true;
  run_for(ms(1000));
  EXPECT_TRUE(has_notice("-sdown", "master mymaster 127.0.0.1 6379"));
}

TEST_F(DownTest, LoadingAndMasterdownCountAsAliveOtherErrorsDoNot) {
  start();
  redis_[addr(6379)].ping_reply = PingReplyKind::kLoading;
  redis_[addr(6380)].ping_reply = PingReplyKind::kMasterDown;
  redis_[addr(6381)].ping_reply = PingReplyKind::kOtherError;  // e.g. -MISCONF
  run_for(ms(6000));
  EXPECT_EQ(
      notices_.size() - std::count_if(notices_.begin(), notices_.end(),
                                      [](const Notice& n) { return n.kind != NoticeKind::kSdown; }),
      1u);
  EXPECT_TRUE(
      has_notice("+sdown", "slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster 127.0.0.1 6379"));
}

TEST_F(DownTest, MasterReportingReplicaIsDownAfterDownAfterPlusTwentySeconds) {
  start();
  run_for(ms(1000));
  redis_[addr(6379)].role = Role::kSlave;
  redis_[addr(6379)].master = addr(6380);
  run_until_notice("-role-change", ms(11000));
  clear_log();
  run_for(ms(22500));
  EXPECT_FALSE(has_notice_type("+sdown"));
  run_for(ms(1000));
  EXPECT_TRUE(has_notice("+sdown", "master mymaster 127.0.0.1 6379"));
}

TEST_F(DownTest, RebootedMasterLoadingTooLongIsDown) {
  GroupConfig g = default_group();
  g.master_reboot_down_after_period = ms(5000);
  start(g);
  run_for(ms(1000));
  redis_[addr(6379)].run_id = run_id_for(1234);
  redis_[addr(6379)].ping_reply = PingReplyKind::kLoading;
  run_until_notice("+reboot", ms(11000));
  clear_log();
  run_for(ms(4900));
  EXPECT_FALSE(has_notice_type("+sdown"));
  run_for(ms(300));
  EXPECT_TRUE(has_notice("+sdown", "master mymaster 127.0.0.1 6379"));
  redis_[addr(6379)].ping_reply = PingReplyKind::kPong;  // one PONG clears it
  run_for(ms(1200));
  EXPECT_TRUE(has_notice_type("-sdown"));
}

TEST_F(DownTest, OdownNeedsQuorumOfPeerOpinionsWhichExpireAfterFiveSeconds) {
  start();
  add_peer(kPeer1, 26380);
  for (auto& [a, p] : peers_) {
    p.grants_votes = false;
    p.says_down = false;
  }
  run_for(ms(1000));
  redis_[addr(6379)].alive = false;
  run_for(ms(6000));
  EXPECT_TRUE(has_notice_type("+sdown"));
  EXPECT_FALSE(has_notice_type("+odown"));
  peers_[addr(26380)].says_down = true;
  run_for(ms(1100));
  EXPECT_TRUE(has_notice("+odown", "master mymaster 127.0.0.1 6379 #quorum 2/2"));
  // The peer goes silent: its opinion expires 5 s after its last answer (asked
  // every second, so 4-5 s from now) and ODOWN ends.
  peers_[addr(26380)].alive = false;
  clear_log();
  run_for(ms(3900));
  EXPECT_FALSE(has_notice_type("-odown"));
  run_for(ms(1300));
  EXPECT_TRUE(has_notice("-odown", "master mymaster 127.0.0.1 6379"));
}

TEST_F(DownTest, AsksCarryCurrentEpochAndRunIdOnlyDuringFailover) {
  start();
  add_peer(kPeer1, 26380, 4);
  for (auto& [a, p] : peers_) p.grants_votes = false;
  run_for(ms(1000));
  redis_[addr(6379)].alive = false;
  run_until_notice("+try-failover", ms(10000));
  auto asks = actions_of<AskMasterDown>();
  ASSERT_GE(asks.size(), 2u);
  EXPECT_EQ(asks.front().args, (std::vector<std::string>{"SENTINEL", "is-master-down-by-addr",
                                                         "127.0.0.1", "6379", "4", "*"}));
  EXPECT_EQ(asks.back().args[4], "5");
  EXPECT_EQ(asks.back().args[5], kMyId);
}

TEST_F(DownTest, TiltOnClockJumpKeepsObservingButStopsActing) {
  start();
  add_peer(kPeer1, 26380);
  run_for(ms(1000));
  now_ += ms(2500);  // the process was frozen
  engine_->tick(now_);
  drain();
  EXPECT_TRUE(has_notice("+tilt", "#tilt mode entered"));
  EXPECT_TRUE(engine_->tilt());
  redis_[addr(6379)].alive = false;
  run_for(ms(10000));
  EXPECT_FALSE(has_notice_type("+sdown"));  // no SDOWN evaluation in TILT
  EXPECT_FALSE(actions_of<SendPing>().empty());
  // Still answers (down 0) and still votes.
  IsMasterDownAnswer a = engine_->answer_is_master_down("127.0.0.1", 6379, 1, kPeer1, now_);
  EXPECT_EQ(a, (IsMasterDownAnswer{false, kPeer1, 1}));
  run_until_notice("-tilt", ms(25000));
  EXPECT_TRUE(has_notice("-tilt", "#tilt mode exited"));
  EXPECT_TRUE(has_notice_type("+sdown"));
}

TEST_F(DownTest, BackwardClockEntersTilt) {
  start();
  run_for(ms(1000));
  now_ -= ms(500);
  engine_->tick(now_);
  drain();
  EXPECT_TRUE(has_notice_type("+tilt"));
}

TEST_F(DownTest, IsMasterDownAnswersByAddressWithExactShape) {
  start();
  EXPECT_EQ(engine_->answer_is_master_down("127.0.0.1", 6379, 0, "*", now_),
            (IsMasterDownAnswer{false, "*", 0}));
  EXPECT_EQ(engine_->answer_is_master_down("10.9.9.9", 6379, 5, kPeer1, now_),
            (IsMasterDownAnswer{false, "*", 0}));  // unknown master: no vote
  run_for(ms(1000));
  redis_[addr(6379)].alive = false;
  run_until_notice("+sdown", ms(6000));
  EXPECT_EQ(engine_->answer_is_master_down("127.0.0.1", 6379, 0, "*", now_),
            (IsMasterDownAnswer{true, "*", 0}));
}

}  // namespace
}  // namespace sp::sentinel

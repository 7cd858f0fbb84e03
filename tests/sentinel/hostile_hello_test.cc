// Hellos come from anyone who can PUBLISH on a monitored server or reach the sentinel
// port: every field is checked, a bad hello changes nothing and is counted and reported.
#include <gtest/gtest.h>

#include <string>

#include "sentinel/hello.h"
#include "tests/sentinel/engine_fixture.h"

namespace sp::sentinel {
namespace {

using HostileHelloTest = EngineFixture;

const std::string kForged = "ffffffffffffffffffffffffffffffffffffffff";

std::string hello(const std::string& current_epoch, const std::string& config_epoch = "0",
                  const std::string& id = kForged, const std::string& ip = "127.0.0.1",
                  const std::string& port = "26399") {
  return ip + "," + port + "," + id + "," + current_epoch + ",mymaster,127.0.0.1,6379," +
         config_epoch;
}

TEST_F(HostileHelloTest, AnEpochThatCouldWrapIsRefusedAndChangesNothing) {
  start();
  clear_log();
  deliver(HelloReceived{hello("18446744073709551615"), true});
  deliver(HelloReceived{hello("0", "18446744073709551615"), false});
  EXPECT_EQ(engine_->current_epoch(), 0u);
  EXPECT_EQ(group().config_epoch, 0u);
  EXPECT_TRUE(group().sentinels.empty());
  EXPECT_EQ(engine_->hellos_rejected(), 2u);
  EXPECT_TRUE(has_notice("-hello-rejected", "bad current epoch " + hello("18446744073709551615")));
  EXPECT_FALSE(has_notice_type("+new-epoch"));
  EXPECT_FALSE(has_notice_type("+sentinel"));
}

TEST_F(HostileHelloTest, TheHighestEpochAcceptedStillLeavesRoomForFailovers) {
  start();
  deliver(HelloReceived{hello(std::to_string(kMaxEpoch)), true});
  EXPECT_EQ(engine_->current_epoch(), kMaxEpoch);
  EXPECT_EQ(engine_->hellos_rejected(), 0u);
  // Our own next epoch is above it, not 0.
  EXPECT_EQ(engine_->request_failover("mymaster", now_), FailoverRequest::kNoGoodReplica);
  run_for(ms(11000));  // the replicas are discovered
  EXPECT_EQ(engine_->request_failover("mymaster", now_), FailoverRequest::kStarted);
  EXPECT_EQ(engine_->current_epoch(), kMaxEpoch + 1);
  EXPECT_EQ(group().failover_epoch, kMaxEpoch + 1);
}

TEST_F(HostileHelloTest, EveryBadFieldIsCountedAndNoSentinelIsLearned) {
  start();
  const std::string bad[] = {
      "garbage",
      hello("1", "0", kForged, "not an ip"),
      hello("1", "0", kForged, "127.0.0.1", "0"),
      hello("1", "0", kForged, "127.0.0.1", "65536"),
      hello("1", "0", "short-id"),
      hello("1", "0", kForged + "ff"),
      hello("x"),
      hello("1", "-1"),
      hello("1", "9223372036854775807"),  // a config epoch no failover has reached
      "127.0.0.1,26399," + kForged + ",1,,127.0.0.1,6379,0",
      "127.0.0.1,26399," + kForged + ",1,mymaster,127.0.0.1,0,0",
      "127.0.0.1,26399," + kForged + ",1,mymaster,300.0.0.1,6379,0",
  };
  for (const std::string& payload : bad) deliver(HelloReceived{payload, true});
  EXPECT_EQ(engine_->hellos_rejected(), std::size(bad));
  EXPECT_TRUE(group().sentinels.empty());
  EXPECT_EQ(engine_->current_epoch(), 0u);
  // A well-formed one still works.
  deliver(HelloReceived{hello("1"), true});
  EXPECT_EQ(group().sentinels.size(), 1u);
  EXPECT_EQ(engine_->current_epoch(), 1u);
}

TEST_F(HostileHelloTest, OurOwnIdOnTheSentinelPortIsAForgery) {
  start();
  clear_log();
  deliver(HelloReceived{hello("5", "0", kMyId), false});
  EXPECT_EQ(engine_->hellos_rejected(), 1u);
  EXPECT_TRUE(has_notice_type("-hello-rejected"));
  EXPECT_EQ(engine_->current_epoch(), 0u);
  // Our own hellos echoed by the master are not counted.
  deliver(HelloReceived{hello("0", "0", kMyId), true});
  EXPECT_EQ(engine_->hellos_rejected(), 1u);
}

TEST_F(HostileHelloTest, AnotherGroupsHelloIsIgnoredNotRejected) {
  start();
  std::string other = hello("3");
  other.replace(other.find("mymaster"), 8, "othergroup");
  deliver(HelloReceived{other, true});
  EXPECT_EQ(engine_->hellos_rejected(), 0u);
  EXPECT_EQ(engine_->current_epoch(), 0u);
}

TEST_F(HostileHelloTest, AFloodIsReportedOnceASecondWithItsCount) {
  start();
  clear_log();
  for (int i = 0; i < 50; ++i) deliver(HelloReceived{"bad\r\n" + std::to_string(i), true});
  int reports = 0;
  for (const Notice& n : notices_) reports += n.kind == NoticeKind::kHelloRejected;
  EXPECT_EQ(reports, 1);
  // Control bytes never reach the log as such.
  EXPECT_TRUE(has_notice("-hello-rejected", "not 8 fields bad\\x0d\\x0a0"));
  clear_log();
  now_ += ms(1000);
  deliver(HelloReceived{"bad", true});
  EXPECT_TRUE(has_notice("-hello-rejected", "not 8 fields bad (and 49 more since the last)"));
  EXPECT_EQ(engine_->hellos_rejected(), 51u);
}

TEST_F(HostileHelloTest, AVoteRequestAtAnEpochThatCouldWrapGetsNoVote) {
  start();
  const auto answer =
      engine_->answer_is_master_down("127.0.0.1", 6379, kMaxEpoch + 1, kPeer1, now_);
  EXPECT_EQ(answer.leader, "*");
  EXPECT_EQ(engine_->current_epoch(), 0u);
  EXPECT_EQ(engine_->answer_is_master_down("127.0.0.1", 6379, kMaxEpoch, kPeer1, now_).leader,
            kPeer1);
}

}  // namespace
}  // namespace sp::sentinel

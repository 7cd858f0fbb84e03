#include <gtest/gtest.h>

#include <algorithm>

#include "tests/sentinel/engine_fixture.h"

namespace sp::sentinel {
namespace {

class FailoverTest : public EngineFixture {
 protected:
  // Three sentinels (us + two peers), master and two replicas all healthy.
  void start_healthy(GroupConfig group) {
    start(std::move(group));
    add_peer(kPeer1, 26380);
    add_peer(kPeer2, 26381);
    run_for(ms(2000));
    ASSERT_EQ(group_replicas(), 2u);
    clear_log();
  }
  void start_healthy() { start_healthy(default_group()); }
  std::size_t group_replicas() const { return group().replicas.size(); }
  std::vector<std::string> types_without(const std::vector<std::string>& skip) const {
    std::vector<std::string> out;
    for (const auto& t : notice_types()) {
      if (std::find(skip.begin(), skip.end(), t) == skip.end()) out.push_back(t);
    }
    return out;
  }
};

TEST_F(FailoverTest, PlainAutomaticFailoverEmitsTheLeaderSequenceOfSection9) {
  start_healthy();
  redis_[addr(6379)].alive = false;
  run_until_notice("+switch-master", ms(30000));
  run_for(ms(4000));  // until the old master, now a replica, is SDOWN
  const std::vector<std::string> expected = {"+sdown",
                                             "+odown",
                                             "+new-epoch",
                                             "+try-failover",
                                             "+vote-for-leader",
                                             "+elected-leader",
                                             "+failover-state-select-slave",
                                             "+selected-slave",
                                             "+failover-state-send-slaveof-noone",
                                             "+failover-state-wait-promotion",
                                             "-role-change",
                                             "+promoted-slave",
                                             "+failover-state-reconf-slaves",
                                             "+slave-reconf-sent",
                                             "+slave-reconf-inprog",
                                             "+slave-reconf-done",
                                             "+failover-end",
                                             "+switch-master",
                                             "+slave",
                                             "+slave",
                                             "+sdown"};
  EXPECT_EQ(notice_types(), expected);
  EXPECT_TRUE(has_notice("+odown", "master mymaster 127.0.0.1 6379 #quorum 3/2"));
  EXPECT_TRUE(has_notice("+new-epoch", "1"));
  EXPECT_TRUE(has_notice("+vote-for-leader", kMyId + " 1"));
  EXPECT_TRUE(has_notice("+selected-slave",
                         "slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379"));
  EXPECT_TRUE(has_notice("+switch-master", "mymaster 127.0.0.1 6379 127.0.0.1 6380"));
  EXPECT_TRUE(
      has_notice("+sdown", "slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster 127.0.0.1 6380"));
  EXPECT_EQ(engine_->master_address("mymaster"), addr(6380));
  EXPECT_EQ(group().config_epoch, 1u);
  EXPECT_EQ(redis_[addr(6380)].role, Role::kMaster);
  EXPECT_EQ(redis_[addr(6381)].master, addr(6380));
}

TEST_F(FailoverTest, ReplicaOfTransactionHasEveryCommandWithRenames) {
  GroupConfig g = default_group();
  g.rename_commands["SLAVEOF"] = "XSLAVEOF";
  g.rename_commands["CONFIG"] = "XCONFIG";
  start_healthy(g);
  redis_[addr(6379)].alive = false;
  run_until_notice("+failover-state-wait-promotion", ms(30000));
  auto sent = actions_of<SendReplicaOf>();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].to.addr, addr(6380));
  EXPECT_FALSE(sent[0].new_master.has_value());
  const std::vector<std::vector<std::string>> expected = {{"MULTI"},
                                                          {"XSLAVEOF", "NO", "ONE"},
                                                          {"XCONFIG", "REWRITE"},
                                                          {"CLIENT", "KILL", "TYPE", "normal"},
                                                          {"CLIENT", "KILL", "TYPE", "pubsub"},
                                                          {"EXEC"}};
  EXPECT_EQ(sent[0].commands, expected);
}

TEST_F(FailoverTest, PromotionSwitchesTheReportedAddressAndPersistsTheConfigEpoch) {
  start_healthy();
  redis_[addr(6379)].alive = false;
  run_until_notice("+promoted-slave", ms(30000));
  EXPECT_EQ(engine_->master_address("mymaster"), addr(6380));
  auto switches = actions_of<SwitchMaster>();
  ASSERT_FALSE(switches.empty());
  EXPECT_EQ(switches.back().addr, addr(6380));
  EXPECT_EQ(switches.back().config_epoch, 1u);
  ASSERT_TRUE(persisted_.has_value());
  EXPECT_EQ(persisted_->groups[0].config_epoch, 1u);
  EXPECT_EQ(persisted_->groups[0].master, addr(6380));
}

TEST_F(FailoverTest, NotElectedWithoutVotesAbortsAfterElectionTimeout) {
  start_healthy();
  for (auto& [a, p] : peers_) p.grants_votes = false;
  redis_[addr(6379)].alive = false;
  run_until_notice("-failover-abort-not-elected", ms(40000));
  EXPECT_TRUE(has_notice("-failover-abort-not-elected", "master mymaster 127.0.0.1 6379"));
  EXPECT_FALSE(has_notice_type("+elected-leader"));
  // Back-off: no second attempt before 2 x failover-timeout.
  clear_log();
  run_for(ms(14000));
  EXPECT_FALSE(has_notice_type("+try-failover"));
  run_for(ms(6000));
  EXPECT_TRUE(has_notice_type("+try-failover"));
}

TEST_F(FailoverTest, NoGoodReplicaAborts) {
  start_healthy();
  redis_[addr(6380)].priority = 0;
  redis_[addr(6381)].priority = 0;
  run_for(ms(11000));  // let INFO report the priorities
  redis_[addr(6379)].alive = false;
  run_until_notice("-failover-abort-no-good-slave", ms(30000));
  EXPECT_TRUE(has_notice("-failover-abort-no-good-slave", "master mymaster 127.0.0.1 6379"));
}

TEST_F(FailoverTest, PromotionThatNeverHappensTimesOut) {
  start_healthy();
  // Whichever replica is chosen ignores SLAVEOF NO ONE.
  redis_[addr(6380)].ignores_replicaof = true;
  redis_[addr(6381)].ignores_replicaof = true;
  redis_[addr(6379)].alive = false;
  run_until_notice("+failover-state-wait-promotion", ms(30000));
  run_until_notice("-failover-abort-slave-timeout", ms(20000));
  EXPECT_TRUE(has_notice_type("-failover-abort-slave-timeout"));
  EXPECT_EQ(group().failover_state, FailoverState::kNone);
  EXPECT_FALSE(group().replicas.at("127.0.0.1:6380").promoted);
}

// Selecting the replica and sending it SLAVEOF NO ONE wait on nobody: they follow the
// election in the same tick, and INFO goes right behind the transaction.
TEST_F(FailoverTest, ElectionSelectionAndSlaveofNooneHappenInOneTick) {
  start_healthy();
  redis_[addr(6379)].alive = false;
  run_until_notice("+elected-leader", ms(30000));
  EXPECT_TRUE(has_notice_type("+failover-state-wait-promotion"));
  const auto sent = actions_of<SendReplicaOf>();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_FALSE(sent[0].new_master.has_value());
  // The fake answered the INFO sent behind it: the promotion is already seen.
  EXPECT_TRUE(has_notice_type("+promoted-slave"));
}

TEST_F(FailoverTest, ParallelSyncsLimitsReplicasReconfiguredAtOnce) {
  redis_[addr(6379)] = fake_master(run_id_for(6379));
  for (int port : {6380, 6381, 6382}) {
    redis_[addr(port)] = fake_replica(run_id_for(port), addr(6379), 200 - port % 10);
  }
  start(default_group());
  add_peer(kPeer1, 26380);
  add_peer(kPeer2, 26381);
  run_for(ms(2000));
  clear_log();
  redis_[addr(6379)].alive = false;
  run_until_notice("+slave-reconf-sent", ms(30000));
  // One at a time with parallel-syncs 1.
  EXPECT_EQ(actions_of<SendReplicaOf>().size(), 2u);  // NO ONE + one replica
  run_until_notice("+switch-master", ms(30000));
  int sent = 0;
  for (const auto& t : notice_types()) sent += t == "+slave-reconf-sent";
  EXPECT_EQ(sent, 2);
}

TEST_F(FailoverTest, ReconfStuckEndsForTimeoutWithBestEffort) {
  start_healthy();
  redis_[addr(6379)].alive = false;
  run_until_notice("+failover-state-reconf-slaves", ms(30000));
  // 6381 accepts the transaction but never follows the new master.
  redis_[addr(6381)].alive = false;
  run_until_notice("+failover-end", ms(60000));
  EXPECT_TRUE(has_notice_type("+failover-end"));
}

TEST_F(FailoverTest, ReturningOldMasterIsConvertedToReplica) {
  start_healthy();
  redis_[addr(6379)].alive = false;
  run_until_notice("+switch-master", ms(30000));
  run_for(ms(2000));
  clear_log();
  redis_[addr(6379)].alive = true;  // comes back still believing it is the master
  run_until_notice("+convert-to-slave", ms(60000));
  EXPECT_TRUE(has_notice("-role-change",
                         "slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster 127.0.0.1 6380 new "
                         "reported role is master"));
  EXPECT_TRUE(has_notice("+convert-to-slave",
                         "slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster 127.0.0.1 6380"));
  EXPECT_EQ(redis_[addr(6379)].master, addr(6380));
}

// The leader converts the master its own failover replaced as soon as it answers as a
// master, instead of waiting 8 s as for an instance whose claim it cannot judge.
TEST_F(FailoverTest, OldMasterOfOurOwnFailoverIsConvertedAtOnce) {
  start_healthy();
  redis_[addr(6379)].alive = false;
  run_until_notice("+switch-master", ms(30000));
  run_for(ms(2000));
  clear_log();
  const TimePoint back = now_;
  redis_[addr(6379)].alive = true;
  run_until_notice("+convert-to-slave", ms(60000));
  EXPECT_EQ(redis_[addr(6379)].master, addr(6380));
  // Not paused: the clients it took since its return are killed with the demotion.
  const auto sent = actions_of<SendReplicaOf>();
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent.back().to.addr, addr(6379));
  EXPECT_EQ(sent.back().commands[3],
            (std::vector<std::string>{"CLIENT", "KILL", "TYPE", "normal"}));
  // A reconnect and its first INFO, not the 8 s of a claim that is stable for long enough.
  EXPECT_LT(now_ - back, ms(3000));
}

// A planned failover: the old master is healthy and is made a replica of the promoted
// one during the reconfiguration, before the switch.
TEST_F(FailoverTest, ReachableOldMasterIsFencedDuringTheReconfiguration) {
  start_healthy();
  ASSERT_EQ(engine_->request_failover("mymaster", now_), FailoverRequest::kStarted);
  drain();
  run_until_notice("+switch-master", ms(30000));
  EXPECT_TRUE(has_notice("+convert-to-slave", "master mymaster 127.0.0.1 6379"));
  EXPECT_EQ(redis_[addr(6379)].role, Role::kSlave);
  EXPECT_EQ(redis_[addr(6379)].master, addr(6380));
  // The fencing transaction came before the switch.
  const auto types = notice_types();
  const auto fenced = std::find(types.begin(), types.end(), "+convert-to-slave");
  const auto switched = std::find(types.begin(), types.end(), "+switch-master");
  EXPECT_LT(fenced - types.begin(), switched - types.begin());
  // Its paused writers are not killed: lifted behind the demotion, the pause lets them
  // meet -READONLY, proof that their writes did not run.
  std::size_t demotion = log_.size();
  std::size_t unpause = log_.size();
  for (std::size_t i = 0; i < log_.size(); ++i) {
    if (const auto* sent = std::get_if<SendReplicaOf>(&log_[i]);
        sent != nullptr && sent->to.addr == addr(6379)) {
      demotion = i;
      const std::vector<std::string> kill_normal = {"CLIENT", "KILL", "TYPE", "normal"};
      const std::vector<std::string> kill_pubsub = {"CLIENT", "KILL", "TYPE", "pubsub"};
      EXPECT_EQ(std::count(sent->commands.begin(), sent->commands.end(), kill_normal), 0);
      EXPECT_EQ(std::count(sent->commands.begin(), sent->commands.end(), kill_pubsub), 1);
    }
    if (const auto* sent = std::get_if<SendCommand>(&log_[i]);
        sent != nullptr && sent->to.addr == addr(6379) &&
        sent->args == std::vector<std::string>{"CLIENT", "UNPAUSE"}) {
      unpause = i;
    }
  }
  ASSERT_LT(demotion, log_.size());
  ASSERT_LT(unpause, log_.size());
  EXPECT_LT(demotion, unpause);
}

// A planned failover promotes once the replica has the paused master's offset and the
// master heard it say so (REPLCONF ACK, the offset= of its INFO): a WAIT there for the
// last writes before the pause is answered, not ended by the demotion.
TEST_F(FailoverTest, APlannedFailoverWaitsForTheMasterToHearTheReplicasAck) {
  start_healthy();
  redis_[addr(6379)].offset = 500;
  for (int port : {6380, 6381}) {
    redis_[addr(port)].offset = 500;
    redis_[addr(port)].acked = 400;
  }
  run_for(ms(11000));  // a master INFO with those offsets
  const TimePoint asked = now_;
  ASSERT_EQ(engine_->request_failover("mymaster", now_), FailoverRequest::kStarted);
  drain();
  run_for(ms(2000));
  EXPECT_FALSE(has_notice_type("+failover-state-wait-promotion"));
  for (int port : {6380, 6381}) redis_[addr(port)].acked = 500;
  run_until_notice("+failover-state-wait-promotion", ms(10000));
  // Well before the bound on the catch-up (5 s), and soon after the acknowledgement.
  EXPECT_LT(now_ - asked, ms(2500));
}

// PROXY FAILOVER <replica>: that replica is promoted, not the one Sentinel would choose.
TEST_F(FailoverTest, ARequestedReplicaIsTheOnePromoted) {
  start_healthy();
  EXPECT_EQ(engine_->request_failover("mymaster", now_, "10.0.0.1:6381"),
            FailoverRequest::kNoSuchReplica);
  EXPECT_EQ(failover_request_error(FailoverRequest::kNoSuchReplica),
            "ERR No such replica of this master");
  // 6380 would be chosen (same priority and offset, the smaller run id); ask for 6381.
  ASSERT_EQ(engine_->request_failover("mymaster", now_, "127.0.0.1:6381"),
            FailoverRequest::kStarted);
  drain();
  run_until_notice("+switch-master", ms(30000));
  EXPECT_TRUE(has_notice("+selected-slave",
                         "slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster "
                         "127.0.0.1 6379"));
  EXPECT_EQ(engine_->master_address("mymaster"), addr(6381));
  EXPECT_TRUE(group().requested_replica.empty());
}

TEST_F(FailoverTest, ReplicaFollowingTheWrongMasterIsFixedAfterFailoverTimeout) {
  start_healthy();
  redis_[addr(6381)].master = addr(7000);
  run_for(ms(12000));
  EXPECT_FALSE(has_notice_type("+fix-slave-config"));  // not stable long enough yet
  run_until_notice("+fix-slave-config", ms(20000));
  EXPECT_TRUE(has_notice("+fix-slave-config",
                         "slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster 127.0.0.1 6379"));
  EXPECT_EQ(redis_[addr(6381)].master, addr(6379));
}

TEST_F(FailoverTest, FollowerSwitchesOnHelloWithNewerConfigEpoch) {
  start_healthy();
  deliver(HelloReceived{hello_from(kPeer1, 26380, 3, 6381, 3), true});
  EXPECT_TRUE(has_notice("+new-epoch", "3"));
  EXPECT_TRUE(has_notice("+config-update-from",
                         "sentinel " + kPeer1 + " 127.0.0.1 26380 @ mymaster 127.0.0.1 6379"));
  EXPECT_TRUE(has_notice("+switch-master", "mymaster 127.0.0.1 6379 127.0.0.1 6381"));
  EXPECT_EQ(engine_->master_address("mymaster"), addr(6381));
  EXPECT_EQ(group().config_epoch, 3u);
  EXPECT_TRUE(group().replicas.contains("127.0.0.1:6379"));
  EXPECT_TRUE(group().replicas.contains("127.0.0.1:6380"));
  EXPECT_FALSE(group().replicas.contains("127.0.0.1:6381"));
  // An older configuration is ignored.
  clear_log();
  deliver(HelloReceived{hello_from(kPeer2, 26381, 3, 6380, 2), true});
  EXPECT_FALSE(has_notice_type("+switch-master"));
}

// The master a peer's failover replaced still answered when the switch was learned, even
// if its link had just dropped (the demotion kills the sentinels' Pub/Sub connections to
// it): sessions with commands in flight there wait for their replies (replaced_master_up).
TEST_F(FailoverTest, AReplacedMasterWhoseLinkJustDroppedStillCountsAsUp) {
  start_healthy();
  deliver(LinkDisconnected{Endpoint{"mymaster", InstanceKind::kMaster, addr(6379)}});
  deliver(HelloReceived{hello_from(kPeer1, 26380, 3, 6381, 3), true});
  ASSERT_EQ(engine_->master_address("mymaster"), addr(6381));
  EXPECT_TRUE(group().replaced_master_up);
}

}  // namespace
}  // namespace sp::sentinel

#include "sentinel/field_lists.h"

#include <gtest/gtest.h>

#include "tests/sentinel/engine_fixture.h"

namespace sp::sentinel {
namespace {

using FieldListsTest = EngineFixture;

std::vector<std::string> names(const FieldList& fields) {
  std::vector<std::string> out;
  for (const auto& [k, v] : fields) out.push_back(k);
  return out;
}

TEST_F(FieldListsTest, HealthyMasterHasTwentyFieldsInRedisOrder) {
  start();
  run_for(ms(1000));
  auto master = master_reply(*engine_, "mymaster", now_);
  ASSERT_TRUE(master.has_value());
  EXPECT_EQ(names(*master), (std::vector<std::string>{"name",
                                                      "ip",
                                                      "port",
                                                      "runid",
                                                      "flags",
                                                      "link-pending-commands",
                                                      "link-refcount",
                                                      "last-ping-sent",
                                                      "last-ok-ping-reply",
                                                      "last-ping-reply",
                                                      "down-after-milliseconds",
                                                      "info-refresh",
                                                      "role-reported",
                                                      "role-reported-time",
                                                      "config-epoch",
                                                      "num-slaves",
                                                      "num-other-sentinels",
                                                      "quorum",
                                                      "failover-timeout",
                                                      "parallel-syncs"}));
  EXPECT_EQ((*master)[4].second, "master");
  EXPECT_EQ((*master)[15].second, "2");
  EXPECT_FALSE(master_reply(*engine_, "nope", now_).has_value());
  EXPECT_EQ(masters_reply(*engine_, now_).size(), 1u);
}

TEST_F(FieldListsTest, ReplicaAndSentinelFieldLists) {
  start();
  add_peer(kPeer1, 26380);
  run_for(ms(1000));
  auto replicas = replicas_reply(*engine_, "mymaster", now_);
  ASSERT_EQ(replicas->size(), 2u);
  auto r = names(replicas->front());
  EXPECT_EQ(std::vector<std::string>(r.end() - 7, r.end()),
            (std::vector<std::string>{"master-link-down-time", "master-link-status", "master-host",
                                      "master-port", "slave-priority", "slave-repl-offset",
                                      "replica-announced"}));
  EXPECT_EQ(replicas->front()[4].second, "slave");
  auto sentinels = sentinels_reply(*engine_, "mymaster", now_);
  ASSERT_EQ(sentinels->size(), 1u);
  auto s = names(sentinels->front());
  EXPECT_EQ(std::vector<std::string>(s.end() - 4, s.end()),
            (std::vector<std::string>{"down-after-milliseconds", "last-hello-message",
                                      "voted-leader", "voted-leader-epoch"}));
}

TEST_F(FieldListsTest, FlagsInSentinelOrderAndDownTimes) {
  start();
  add_peer(kPeer1, 26380);
  add_peer(kPeer2, 26381);
  for (auto& [a, p] : peers_) p.grants_votes = false;
  run_for(ms(1000));
  redis_[addr(6379)].alive = false;
  run_until_notice("+try-failover", ms(10000));
  auto master = *master_reply(*engine_, "mymaster", now_);
  EXPECT_EQ(master[4].second, "s_down,o_down,master,failover_in_progress");
  EXPECT_EQ(master[7].first, "failover-state");
  EXPECT_EQ(master[7].second, "wait_start");
  EXPECT_EQ(master[11].first, "s-down-time");
  EXPECT_EQ(master[12].first, "o-down-time");
}

TEST_F(FieldListsTest, GetMasterAddrByName) {
  start();
  EXPECT_EQ(engine_->master_address("mymaster"), addr(6379));
  EXPECT_FALSE(engine_->master_address("other").has_value());
}

}  // namespace
}  // namespace sp::sentinel

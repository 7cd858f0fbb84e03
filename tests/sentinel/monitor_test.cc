#include <gtest/gtest.h>

#include "tests/sentinel/engine_fixture.h"

namespace sp::sentinel {
namespace {

using MonitorTest = EngineFixture;

int count_to(const std::vector<SendPing>& pings, const Address& a) {
  int n = 0;
  for (const auto& p : pings) n += p.to.addr == a;
  return n;
}

TEST_F(MonitorTest, ConnectsPingsAndAsksInfoAtStartThenDiscoversReplicas) {
  start();
  // First tick: connect and INFO the master; second tick: the replicas it listed.
  run_for(ms(200));
  auto connects = actions_of<Connect>();
  ASSERT_FALSE(connects.empty());
  EXPECT_EQ(connects[0].to.addr, addr(6379));
  EXPECT_EQ(actions_of<SendInfo>().size(), 1u + 2u);  // master, then both discovered replicas
  EXPECT_TRUE(
      has_notice("+slave", "slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379"));
  EXPECT_TRUE(has_notice("+monitor", "master mymaster 127.0.0.1 6379 quorum 2"));
  ASSERT_TRUE(persisted_.has_value());
  EXPECT_EQ(persisted_->groups[0].known_replicas.size(), 2u);
}

TEST_F(MonitorTest, PingEverySecondWhenHealthyAndEveryHalfSecondWhenNot) {
  start();
  run_for(ms(1000));
  clear_log();
  run_for(ms(10000));
  EXPECT_NEAR(count_to(actions_of<SendPing>(), addr(6379)), 10, 1);
  redis_[addr(6379)].alive = false;
  clear_log();
  run_for(ms(10000));
  // Sentinel pings when more than period/2 has passed since the last ping, so on
  // 100 ms ticks an unanswered instance is pinged every 600 ms.
  EXPECT_NEAR(count_to(actions_of<SendPing>(), addr(6379)), 10000 / 600, 1);
}

TEST_F(MonitorTest, InfoEveryTenSecondsAndHelloEveryTwo) {
  start();
  run_for(ms(1000));
  clear_log();
  run_for(ms(20000));
  int infos = 0, hellos = 0;
  for (const auto& a : actions_of<SendInfo>()) infos += a.to.addr == addr(6379);
  for (const auto& a : actions_of<PublishHello>()) hellos += a.to.addr == addr(6379);
  EXPECT_EQ(infos, 2);
  EXPECT_NEAR(hellos, 10, 1);
  auto hello = actions_of<PublishHello>().front();
  EXPECT_EQ(hello.payload, "127.0.0.1,26379," + kMyId + ",0,mymaster,127.0.0.1,6379,0");
}

TEST_F(MonitorTest, HelloIsResentEveryTickWhilePublishFails) {
  start();
  redis_[addr(6379)].publish_ok = false;
  run_for(ms(1000));
  clear_log();
  run_for(ms(1000));
  int hellos = 0;
  for (const auto& a : actions_of<PublishHello>()) hellos += a.to.addr == addr(6379);
  EXPECT_EQ(hellos, 10);
}

TEST_F(MonitorTest, HelloDiscoversSentinelsIdempotentlyAndIgnoresOurOwn) {
  start();
  add_peer(kPeer1, 26380);
  EXPECT_TRUE(
      has_notice("+sentinel", "sentinel " + kPeer1 + " 127.0.0.1 26380 @ mymaster 127.0.0.1 6379"));
  clear_log();
  deliver(HelloReceived{hello_from(kPeer1, 26380, 0, 6379, 0), true});
  deliver(HelloReceived{hello_from(kMyId, 26379, 0, 6379, 0), true});
  EXPECT_TRUE(notices_.empty());
  EXPECT_EQ(group().sentinels.size(), 1u);
  deliver(HelloReceived{"garbage,1,2", true});
  deliver(HelloReceived{
      hello_from(kPeer2, 26381, 0, 6379, 0)
          .replace(hello_from(kPeer2, 26381, 0, 6379, 0).find("mymaster"), 8, "other"),
      true});
  EXPECT_EQ(group().sentinels.size(), 1u);
}

TEST_F(MonitorTest, SentinelAddressSwitchAndInvalidAddress) {
  start();
  add_peer(kPeer1, 26380);
  clear_log();
  deliver(HelloReceived{hello_from(kPeer1, 26390, 0, 6379, 0), true});
  EXPECT_TRUE(has_notice("+sentinel-address-switch",
                         "master mymaster 127.0.0.1 6379 ip 127.0.0.1 port 26390 for " + kPeer1));
  EXPECT_EQ(group().sentinels.at(kPeer1).addr.port, 26390);
  clear_log();
  // A new id at the same address: the old one is dropped.
  deliver(HelloReceived{hello_from(kPeer2, 26390, 0, 6379, 0), true});
  EXPECT_TRUE(has_notice("+sentinel-invalid-addr",
                         "sentinel " + kPeer1 + " 127.0.0.1 26390 @ mymaster 127.0.0.1 6379"));
  EXPECT_TRUE(has_notice_type("+sentinel"));
  EXPECT_EQ(group().sentinels.size(), 1u);
  EXPECT_TRUE(group().sentinels.contains(kPeer2));
}

TEST_F(MonitorTest, HelloRaisesCurrentEpochAndPersistsIt) {
  start();
  add_peer(kPeer1, 26380, 7);
  EXPECT_TRUE(has_notice("+new-epoch", "7"));
  EXPECT_EQ(engine_->current_epoch(), 7u);
  EXPECT_EQ(persisted_->current_epoch, 7u);
}

TEST_F(MonitorTest, ReplicaInfoEverySecondWhileMasterIsObjectivelyDown) {
  start();
  add_peer(kPeer1, 26380);
  for (auto& [a, p] : peers_) p.grants_votes = false;
  run_for(ms(1000));
  redis_[addr(6379)].alive = false;
  run_until_notice("+odown", ms(10000));
  clear_log();
  run_for(ms(5000));
  int infos = 0;
  for (const auto& a : actions_of<SendInfo>()) infos += a.to.addr == addr(6380);
  EXPECT_NEAR(infos, 5, 1);
}

TEST_F(MonitorTest, RunIdChangeIsAReboot) {
  start();
  run_for(ms(1000));
  redis_[addr(6380)].run_id = run_id_for(9999);
  run_for(ms(11000));
  EXPECT_TRUE(
      has_notice("+reboot", "slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379"));
}

}  // namespace
}  // namespace sp::sentinel

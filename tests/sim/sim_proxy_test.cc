// The proxy model of the simulation and its invariants: the shared failover rules, the
// model's reading of engine output, and proxies broken on purpose that the invariants
// catch (so that a passing simulation means something).
#include <gtest/gtest.h>

#include "sentinel/notices.h"
#include "tests/sim/sim_proxy.h"
#include "tests/sim/sim_proxy_ledger.h"
#include "tests/sim/sim_scenario.h"

namespace sp::sentinel::sim {
namespace {

const Address kOld{"10.0.0.1", 6379};
const Address kNew{"10.0.0.2", 6379};
const Address kNewer{"10.0.0.3", 6379};
const Notice kOldDown = master_notice(NoticeKind::kSdown, "mymaster", {"10.0.0.1", 6379});
const Notice kOldUp = master_notice(NoticeKind::kSdownEnded, "mymaster", {"10.0.0.1", 6379});

Group group_named(const std::string& name) {
  Group group;
  group.config.name = name;
  return group;
}

TEST(SimProxy, FollowsNewerMastersAndHolds) {
  Group group = group_named("mymaster");
  SimProxy proxy;
  proxy.start("mymaster", kOld);
  EXPECT_EQ(proxy.master(), kOld);
  EXPECT_EQ(proxy.topology()->epoch, 0u);

  proxy.observe(kOldDown, group, TimePoint{});
  EXPECT_TRUE(proxy.holding());
  proxy.observe(kOldUp, group, TimePoint{});
  EXPECT_FALSE(proxy.holding());
  proxy.observe(kOldDown, group, TimePoint{});

  EXPECT_TRUE(proxy.observe(SwitchMaster{"mymaster", kNew, 5}, group, TimePoint{}));
  EXPECT_EQ(proxy.master(), kNew);
  EXPECT_FALSE(proxy.holding());  // a new snapshot ends the hold
  // A late notice about the replaced master does not make its successor's clients wait.
  proxy.observe(kOldDown, group, TimePoint{});
  EXPECT_FALSE(proxy.holding());
  // Another group's switch, an equal or an older epoch: nothing moves.
  EXPECT_FALSE(proxy.observe(SwitchMaster{"other", kNewer, 9}, group, TimePoint{}));
  EXPECT_FALSE(proxy.observe(SwitchMaster{"mymaster", kNewer, 5}, group, TimePoint{}));
  EXPECT_FALSE(proxy.observe(SwitchMaster{"mymaster", kOld, 4}, group, TimePoint{}));
  EXPECT_EQ(proxy.master(), kNew);
}

// A master that answers again (-sdown) while a failover of it this sentinel voted for may
// be promoting a replica: writes it took would be thrown away, so clients stay held until
// the switch, or until the election timed out without one.
TEST(SimProxy, AMasterBackDuringAVotedFailoverStaysHeldUntilTheElectionTimesOut) {
  Group group = group_named("mymaster");
  group.master.addr = kOld;
  group.config.failover_timeout = ms(180000);
  SimProxy proxy;
  proxy.start("mymaster", kOld);
  const TimePoint voted = TimePoint{} + ms(1000000);
  const Duration election = Timings{}.election_timeout;
  group.master.s_down = true;
  proxy.observe(kOldDown, group, voted);
  group.leader = "a-peer";
  group.leader_epoch = 3;
  group.failover_start_time = voted;
  EXPECT_TRUE(failover_vote_pending(group, voted, election));

  group.master.s_down = false;
  proxy.observe(kOldUp, group, voted + ms(500));
  EXPECT_TRUE(proxy.holding());
  proxy.check_engine(group, voted + election - ms(1));
  EXPECT_TRUE(proxy.holding());
  proxy.check_engine(group, voted + election);
  EXPECT_FALSE(proxy.holding());

  // With the switch seen (config epoch caught up), -sdown ends the hold at once.
  group.master.s_down = true;
  proxy.observe(kOldDown, group, voted);
  group.config_epoch = 3;
  EXPECT_FALSE(failover_vote_pending(group, voted, election));
  group.master.s_down = false;
  proxy.observe(kOldUp, group, voted + ms(500));
  EXPECT_FALSE(proxy.holding());
}

TEST(SimProxy, PublishesTheLeadersPromotedReplicaAtTheGroupsConfigEpoch) {
  Group group = group_named("mymaster");
  Instance replica;
  replica.addr = kNew;
  group.replicas.emplace(kNew.to_string(), replica);
  group.promoted_replica = kNew.to_string();
  group.config_epoch = 7;
  SimProxy proxy;
  proxy.start("mymaster", kOld);
  group.master.addr = kOld;
  const Instance& promoted = group.replicas.at(kNew.to_string());
  EXPECT_TRUE(
      proxy.observe(instance_notice(NoticeKind::kPromotedSlave, group, promoted, HostnamePolicy{}),
                    group, TimePoint{}));
  EXPECT_EQ(proxy.master(), kNew);
  EXPECT_EQ(proxy.topology()->epoch, 7u);
}

// The ledger as the simulation drives it: epoch 5 names kNew, then an older
// announcement (epoch 3, kOld) reaches the proxy late.
struct StaleAnnouncement {
  ProxyLedger ledger{1};
  Group group = group_named("mymaster");
  SimProxy proxy;
  std::string failures;

  // The engine's current epoch as the proxy reads it with each announcement.
  std::optional<std::uint64_t> engine_epoch;

  explicit StaleAnnouncement(ProxyVariant variant,
                             std::optional<std::uint64_t> engine_epoch_seen = std::nullopt)
      : engine_epoch(engine_epoch_seen) {
    proxy.variant = variant;
    ledger.name_master(kOld, 0, 0, "configured");
    proxy.start("mymaster", kOld);
    route(0);
    send(10);
    ledger.name_master(kNew, 5, 100, "SLAVEOF NO ONE");
    announce(SwitchMaster{"mymaster", kNew, 5}, 200);
    send(210);
    ledger.name_master(kOld, 3, 300, "switch-master");
    announce(SwitchMaster{"mymaster", kOld, 3}, 300);
    send(310);
  }
  void route(SimTime now) { failures += ledger.on_route(0, *proxy.topology(), now, "test"); }
  void announce(const Action& action, SimTime now) {
    if (proxy.observe(action, group, TimePoint{}, engine_epoch)) route(now);
  }
  void send(SimTime now) { failures += ledger.on_send(0, proxy.master(), proxy.next_value++, now); }
};

TEST(ProxyLedger, TheShippedGateKeepsTheInvariants) {
  StaleAnnouncement run(ProxyVariant::kAsShipped);
  EXPECT_EQ(run.failures, "");
  EXPECT_EQ(run.proxy.master(), kNew);
  // With the engine's current epoch: it has seen epoch 5, so 3 is stale, not a reset.
  StaleAnnouncement with_epoch(ProxyVariant::kAsShipped, 5);
  EXPECT_EQ(with_epoch.failures, "");
  EXPECT_EQ(with_epoch.proxy.master(), kNew);
}

TEST(ProxyLedger, AProxyWithoutTheEpochGateIsCaught) {
  StaleAnnouncement run(ProxyVariant::kNoEpochGate);
  EXPECT_NE(run.failures.find("proxy 0: routed epoch went back from 5 to 3"), std::string::npos)
      << run.failures;
  EXPECT_NE(run.failures.find("proxy 0 sent write 3 to 10.0.0.1:6379, master of epoch 3 only, "
                              "after it routed at epoch 5"),
            std::string::npos)
      << run.failures;
  // The trace shows the proxy's route changes and the masters named.
  EXPECT_NE(run.failures.find("routes to 10.0.0.1:6379 at epoch 3"), std::string::npos);
  EXPECT_NE(run.failures.find("10.0.0.2:6379 master of epoch 5 (SLAVEOF NO ONE)"),
            std::string::npos);
}

TEST(ProxyLedger, WritesToAnInstanceNeverNamedMasterAreCaught) {
  ProxyLedger ledger(1);
  ledger.name_master(kOld, 0, 0, "configured");
  EXPECT_NE(ledger.on_send(0, kNewer, 1, 10).find("never a master"), std::string::npos);
}

TEST(ProxyLedger, AcknowledgementsOfAnOldMasterAfterAPromotionAreStale) {
  ProxyLedger ledger(1);
  ledger.name_master(kOld, 0, 0, "configured");
  EXPECT_FALSE(ledger.stale_master(kOld, {kOld}));
  ledger.name_master(kNew, 2, 10, "SLAVEOF NO ONE");
  EXPECT_FALSE(ledger.stale_master(kOld, {kOld}));  // sent, not yet applied
  ledger.promotion_applied(kNew, 2);
  EXPECT_TRUE(ledger.stale_master(kOld, {kOld, kNew}));
  EXPECT_FALSE(ledger.stale_master(kNew, {kOld, kNew}));
  // The promoted replica was turned back into a replica: the old master's writes stay.
  EXPECT_FALSE(ledger.stale_master(kOld, {kOld}));
}

TEST(ProxyLedger, StaleAcknowledgementsAreLostOrKeptByWhichMasterIsDemoted) {
  ProxyLedger ledger(1);
  ledger.name_master(kOld, 0, 0, "configured");
  ledger.name_master(kNew, 2, 10, "SLAVEOF NO ONE");
  ledger.promotion_applied(kNew, 2);
  ledger.acknowledged_stale(kOld);
  ledger.acknowledged_stale(kOld);
  // The promotion is undone: the old master's writes stay.
  ledger.master_demoted(kNew, {kOld});
  EXPECT_EQ(ledger.figures().kept_after_undone_promotion, 2u);
  EXPECT_EQ(ledger.figures().lost_at_promotion, 0u);

  ledger.name_master(kNewer, 3, 20, "SLAVEOF NO ONE");
  ledger.promotion_applied(kNewer, 3);
  ledger.acknowledged_stale(kOld);
  ledger.acknowledged_stale(kOld);
  ledger.acknowledged_stale(kOld);
  // The old master is turned into a replica of the new one: they are thrown away.
  ledger.master_demoted(kOld, {kNewer});
  EXPECT_EQ(ledger.figures().lost_at_promotion, 3u);

  ledger.acknowledged_stale(kNew);
  ledger.finish();
  EXPECT_EQ(ledger.figures().at_risk_at_end, 1u);
}

// In the whole simulation, a proxy that forgets across a restart what its engine knows
// (it goes back to the configured master) is caught, with its seed's trace.
TEST(SimulationWithBrokenProxy, ARestartOnTheConfiguredMasterIsCaught) {
  std::string caught;
  for (std::uint64_t seed = 1; seed <= 500 && caught.empty(); ++seed) {
    ScenarioResult result = run_scenario(seed, ProxyVariant::kRestartOnConfiguredMaster);
    if (!result.ok) caught = "seed " + std::to_string(seed) + ": " + result.failure;
  }
  ASSERT_NE(caught, "") << "no scenario caught it";
  EXPECT_NE(caught.find("master of epoch 0 only, after it routed at epoch"), std::string::npos)
      << caught;
  EXPECT_NE(caught.find("routes to 10.0.0.1:6379 at epoch 0 (start)"), std::string::npos) << caught;
  std::printf("%s\n", caught.c_str());
}

// A proxy whose fence never engages is caught by the bound of invariant (c).
TEST(SimulationWithBrokenProxy, AFenceThatNeverEngagesIsCaught) {
  std::string caught;
  for (std::uint64_t seed = 1; seed <= 500 && caught.empty(); ++seed) {
    ScenarioResult result = run_scenario(seed, ProxyVariant::kFenceNeverEngages);
    if (!result.ok) caught = "seed " + std::to_string(seed) + ": " + result.failure;
  }
  ASSERT_NE(caught, "") << "no scenario caught it";
  EXPECT_NE(caught.find("(fence-on-minority) got a write acknowledged"), std::string::npos)
      << caught;
  EXPECT_NE(caught.find("its engine's peers:"), std::string::npos) << caught;
  std::printf("%s\n", caught.c_str());
}

}  // namespace
}  // namespace sp::sentinel::sim

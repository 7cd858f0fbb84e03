// The proxy model of the simulation and its invariants: the shared failover rules, the
// model's reading of engine output, and proxies broken on purpose that the invariants
// catch (so that a passing simulation means something).
#include <gtest/gtest.h>

#include "tests/sim/sim_proxy.h"
#include "tests/sim/sim_proxy_ledger.h"
#include "tests/sim/sim_scenario.h"

namespace sp::sentinel::sim {
namespace {

const Address kOld{"10.0.0.1", 6379};
const Address kNew{"10.0.0.2", 6379};
const Address kNewer{"10.0.0.3", 6379};
Group group_named(const std::string& name) {
  Group group;
  group.config.name = name;
  group.config.failover_timeout = ms(180000);
  return group;
}

// The engine's address switch, as reset_master_and_change_address leaves the group.
void switch_to(Group& group, const Address& addr, std::uint64_t config_epoch) {
  group.master = Instance{};
  group.master.addr = addr;
  group.config_epoch = config_epoch;
  group.failover_state = FailoverState::kNone;
  group.leader.clear();
}

TEST(SimProxy, FollowsNewerMastersAndHolds) {
  Group group = group_named("mymaster");
  group.master.addr = kOld;
  SimProxy proxy;
  proxy.start("mymaster", kOld);
  EXPECT_EQ(proxy.master(), kOld);
  EXPECT_EQ(proxy.topology()->epoch, 0u);

  group.master.s_down = true;
  EXPECT_FALSE(proxy.observe(group, TimePoint{}, 0));
  EXPECT_TRUE(proxy.holding());
  group.master.s_down = false;
  proxy.observe(group, TimePoint{}, 0);
  EXPECT_FALSE(proxy.holding());
  group.master.s_down = true;
  proxy.observe(group, TimePoint{}, 0);

  switch_to(group, kNew, 5);
  EXPECT_TRUE(proxy.observe(group, TimePoint{}, 5));
  EXPECT_EQ(proxy.master(), kNew);
  EXPECT_FALSE(proxy.holding());  // the new master answers
  // An equal or an older epoch naming another master: nothing moves.
  switch_to(group, kNewer, 5);
  EXPECT_FALSE(proxy.observe(group, TimePoint{}, 5));
  switch_to(group, kOld, 4);
  group.master.s_down = true;  // and its hold is not about the master routed to
  EXPECT_FALSE(proxy.observe(group, TimePoint{}, 5));
  EXPECT_EQ(proxy.master(), kNew);
  EXPECT_FALSE(proxy.holding());
}

// A master that answers again while a failover of it this sentinel voted for may be
// promoting a replica: writes it took would be thrown away, so clients stay held until
// the switch, or until the election timed out without one.
TEST(SimProxy, AMasterBackDuringAVotedFailoverStaysHeldUntilTheElectionTimesOut) {
  Group group = group_named("mymaster");
  group.master.addr = kOld;
  SimProxy proxy;
  proxy.start("mymaster", kOld);
  const TimePoint voted = TimePoint{} + ms(1000000);
  const Duration election = Timings{}.election_timeout;
  group.master.s_down = true;
  proxy.observe(group, voted, 3);
  group.leader = "a-peer";
  group.leader_epoch = 3;
  group.failover_start_time = voted;
  EXPECT_TRUE(failover_vote_pending(group, voted, election));

  group.master.s_down = false;
  proxy.observe(group, voted + ms(500), 3);
  EXPECT_TRUE(proxy.holding());
  proxy.observe(group, voted + election - ms(1), 3);
  EXPECT_TRUE(proxy.holding());
  proxy.observe(group, voted + election, 3);
  EXPECT_FALSE(proxy.holding());

  // With the switch seen (config epoch caught up), the master back ends the hold at once.
  group.master.s_down = true;
  proxy.observe(group, voted, 3);
  EXPECT_TRUE(proxy.holding());
  group.config_epoch = 3;
  EXPECT_FALSE(failover_vote_pending(group, voted, election));
  group.master.s_down = false;
  proxy.observe(group, voted + ms(500), 3);
  EXPECT_FALSE(proxy.holding());
}

// The leader's replica reports itself master (RECONF_SLAVES): it is served at the group's
// config epoch, without waiting for the other replicas, and nothing holds any more.
TEST(SimProxy, PublishesTheLeadersPromotedReplicaAtTheGroupsConfigEpoch) {
  Group group = group_named("mymaster");
  group.master.addr = kOld;
  Instance replica;
  replica.addr = kNew;
  replica.promoted = true;
  group.replicas.emplace(kNew.to_string(), replica);
  group.promoted_replica = kNew.to_string();
  group.master.s_down = true;
  group.failover_state = FailoverState::kWaitPromotion;
  SimProxy proxy;
  proxy.start("mymaster", kOld);
  EXPECT_FALSE(proxy.observe(group, TimePoint{}, 7));
  EXPECT_TRUE(proxy.holding());
  group.failover_state = FailoverState::kReconfSlaves;
  group.config_epoch = 7;
  EXPECT_TRUE(proxy.observe(group, TimePoint{}, 7));
  EXPECT_EQ(proxy.master(), kNew);
  EXPECT_EQ(proxy.topology()->epoch, 7u);
  EXPECT_FALSE(proxy.holding());
}

// The ledger as the simulation drives it: epoch 5 names kNew, then an older
// announcement (epoch 3, kOld) reaches the proxy late.
struct StaleAnnouncement {
  ProxyLedger ledger{1};
  Group group = group_named("mymaster");
  SimProxy proxy;
  std::string failures;

  explicit StaleAnnouncement(ProxyVariant variant) {
    proxy.variant = variant;
    ledger.name_master(kOld, 0, 0, "configured");
    proxy.start("mymaster", kOld);
    route(0);
    send(10);
    ledger.name_master(kNew, 5, 100, "SLAVEOF NO ONE");
    announce(kNew, 5, 200);
    send(210);
    ledger.name_master(kOld, 3, 300, "switch-master");
    announce(kOld, 3, 300);
    send(310);
  }
  void route(SimTime now) { failures += ledger.on_route(0, *proxy.topology(), now, "test"); }
  // The engine names `addr` master at `config_epoch` (a stale one for the second); its
  // current epoch has seen 5, so 3 is stale, not a reset of the epochs.
  void announce(const Address& addr, std::uint64_t config_epoch, SimTime now) {
    switch_to(group, addr, config_epoch);
    if (proxy.observe(group, TimePoint{}, 5)) route(now);
  }
  void send(SimTime now) { failures += ledger.on_send(0, proxy.master(), proxy.next_value++, now); }
};

TEST(ProxyLedger, TheShippedGateKeepsTheInvariants) {
  StaleAnnouncement run(ProxyVariant::kAsShipped);
  EXPECT_EQ(run.failures, "");
  EXPECT_EQ(run.proxy.master(), kNew);
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

// A proxy that restarts on the configured master instead of the one its engine knows is
// put right by the first view its engine hands on, before its client's first write: the
// served view carries the engine's whole belief, not only its changes.
TEST(SimulationWithRestartedProxy, ARestartOnTheConfiguredMasterIsPutRightByTheFirstView) {
  int restarts_seen = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    ScenarioResult result = run_scenario(seed, ProxyVariant::kRestartOnConfiguredMaster);
    ASSERT_TRUE(result.ok) << "seed " << seed << ": " << result.failure;
    restarts_seen += result.writes.starts > 5 ? 1 : 0;  // at most five start at first
  }
  EXPECT_GT(restarts_seen, 0);
}

// A bridge whose fence never engages is caught by the bound of invariant (c).
TEST(SimulationWithBrokenBridge, AFenceThatNeverEngagesIsCaught) {
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

// The registry takes only rising epochs (but follows its own sentinel past a gate its
// epoch fell below) and hands each accepted snapshot to every subscriber, the current one
// first on subscription.

#include "proxy/topology/topology_registry.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace sp::proxy {
namespace {

TopologyPtr snapshot(std::uint64_t epoch, std::uint16_t port = 6379) {
  auto t = std::make_shared<Topology>();
  t->group = "mymaster";
  t->master_host = "db.local";
  t->master_ip = "127.0.0.1";
  t->master_port = port;
  t->epoch = epoch;
  return t;
}

TEST(Topology, MasterAddressIsHostColonPort) {
  EXPECT_EQ(snapshot(0, 6390)->master_address(), "db.local:6390");
}

TEST(TopologyRegistry, FirstSnapshotIsTakenWhateverItsEpoch) {
  TopologyRegistry registry;
  EXPECT_EQ(registry.current(), nullptr);
  auto first = snapshot(0);
  EXPECT_TRUE(registry.publish(first));
  EXPECT_EQ(registry.current(), first);
}

TEST(TopologyRegistry, OnlyHigherEpochsReplaceTheCurrent) {
  TopologyRegistry registry;
  std::vector<std::uint64_t> seen;
  registry.subscribe([&](const TopologyPtr& t) { seen.push_back(t->epoch); });
  EXPECT_TRUE(seen.empty());  // nothing to hand over yet
  EXPECT_TRUE(registry.publish(snapshot(5, 7000)));
  EXPECT_FALSE(registry.publish(snapshot(5, 7001)));  // same epoch
  EXPECT_FALSE(registry.publish(snapshot(3, 7002)));  // older
  EXPECT_FALSE(registry.publish(nullptr));
  EXPECT_EQ(registry.current()->master_port, 7000);
  EXPECT_TRUE(registry.publish(snapshot(6, 7003)));
  EXPECT_EQ(registry.current()->master_port, 7003);
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{5, 6}));
}

TEST(TopologyRegistry, LateSubscriberGetsTheCurrentSnapshotAtOnce) {
  TopologyRegistry registry;
  registry.publish(snapshot(2));
  std::vector<TopologyPtr> a;
  std::vector<TopologyPtr> b;
  registry.subscribe([&](const TopologyPtr& t) { a.push_back(t); });
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]->epoch, 2u);
  registry.subscribe([&](const TopologyPtr& t) { b.push_back(t); });
  auto next = snapshot(9);
  registry.publish(next);
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(a[1], next);  // the same immutable snapshot, not a copy
  EXPECT_EQ(b[1], next);
}

TEST(TopologyRegistry, FailoverFlagRepublishesTheSameMasterAndEpoch) {
  TopologyRegistry registry;
  EXPECT_FALSE(registry.set_failover_in_progress(true));  // nothing published yet
  std::vector<bool> seen;
  registry.subscribe([&](const TopologyPtr& t) { seen.push_back(t->failover_in_progress); });
  ASSERT_TRUE(registry.publish(snapshot(4, 7000)));
  EXPECT_TRUE(registry.set_failover_in_progress(true));
  EXPECT_FALSE(registry.set_failover_in_progress(true));  // already so: no new snapshot
  EXPECT_EQ(registry.current()->epoch, 4u);
  EXPECT_EQ(registry.current()->master_port, 7000);
  // The successor comes in a new snapshot, which says nothing is in progress any more;
  // a stale one (same epoch) does not end the hold.
  EXPECT_FALSE(registry.publish(snapshot(4, 7001)));
  EXPECT_TRUE(registry.current()->failover_in_progress);
  EXPECT_TRUE(registry.publish(snapshot(5, 7001)));
  EXPECT_FALSE(registry.current()->failover_in_progress);
  EXPECT_EQ(seen, (std::vector<bool>{false, true, false}));
}

TEST(TopologyRegistry, TheEnginesEpochBelowTheGateOutdatesIt) {
  TopologyRegistry registry;
  std::vector<TopologyPtr> seen;
  registry.subscribe([&](const TopologyPtr& t) { seen.push_back(t); });
  // A config epoch set from a forged hello far above the engine's current epoch (1).
  ASSERT_TRUE(registry.publish(snapshot(1'000'000'000'000, 7000), 1));
  // A stale announcement: its engine has seen the gate's epoch, so it is refused.
  EXPECT_FALSE(registry.publish(snapshot(2, 7001)));
  EXPECT_FALSE(registry.publish(snapshot(2, 7001), 1'000'000'000'000));
  // The engine's own promotion at its failover epoch 2: its current epoch (2) is below
  // the gate, which orders nothing any more.
  EXPECT_TRUE(registry.publish(snapshot(2, 7001), 2));
  EXPECT_EQ(registry.current()->master_port, 7001);
  // Sessions move on a higher epoch: the order keeps rising.
  EXPECT_EQ(registry.current()->epoch, 1'000'000'000'001u);
  // An epoch that wrapped to 0.
  EXPECT_TRUE(registry.publish(snapshot(0, 7002), 0));
  EXPECT_EQ(registry.current()->epoch, 1'000'000'000'002u);
  // The same master again (+switch-master after +promoted-slave) is no new snapshot.
  EXPECT_FALSE(registry.publish(snapshot(0, 7002), 0));
  // A higher config epoch is taken as it is.
  EXPECT_TRUE(registry.publish(snapshot(2'000'000'000'000, 7003), 2'000'000'000'000));
  EXPECT_EQ(registry.current()->epoch, 2'000'000'000'000u);
  ASSERT_EQ(seen.size(), 4u);
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GT(seen[i]->epoch, seen[i - 1]->epoch);
}

}  // namespace
}  // namespace sp::proxy

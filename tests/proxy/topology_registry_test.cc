// The registry takes only rising epochs and hands each accepted snapshot to every
// subscriber, the current one first on subscription.

#include "proxy/topology_registry.h"

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

}  // namespace
}  // namespace sp::proxy

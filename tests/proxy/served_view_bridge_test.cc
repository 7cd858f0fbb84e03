// The bridge from a sentinel's served view to the registry's snapshots: which master
// sessions go to, when they hold, when writes are fenced.

#include "proxy/topology/served_view_bridge.h"

#include <gtest/gtest.h>

namespace sp::proxy {
namespace {

sentinel::ServedView view_of(int port, std::uint64_t config_epoch) {
  sentinel::ServedView view;
  view.group = "mymaster";
  view.master = {"10.0.0.1", port};
  view.config_epoch = config_epoch;
  return view;
}

TEST(ServedViewBridge, PublishesANewMasterWithTheViewsFlags) {
  TopologyRegistry registry;
  ServedViewBridge bridge(registry, /*fence_on_minority=*/false);
  auto view = view_of(6379, 0);
  EXPECT_TRUE(bridge.apply(view));
  EXPECT_EQ(registry.current()->master_address(), "10.0.0.1:6379");
  EXPECT_FALSE(bridge.apply(view));  // nothing changed

  view = view_of(6380, 4);
  view.replaced_master_up = true;
  EXPECT_TRUE(bridge.apply(view));
  const TopologyPtr now = registry.current();
  EXPECT_EQ(now->master_port, 6380);
  EXPECT_EQ(now->epoch, 4u);
  EXPECT_TRUE(now->replaced_master_up);
  EXPECT_FALSE(now->failover_in_progress);
}

TEST(ServedViewBridge, HoldsAndReleasesTheServedMaster) {
  TopologyRegistry registry;
  ServedViewBridge bridge(registry, false);
  auto view = view_of(6379, 2);
  bridge.apply(view);
  view.hold = true;
  EXPECT_FALSE(bridge.apply(view));
  EXPECT_TRUE(registry.current()->failover_in_progress);
  EXPECT_EQ(registry.current()->epoch, 2u);
  view.hold = false;
  bridge.apply(view);
  EXPECT_FALSE(registry.current()->failover_in_progress);
  // Its successor is published free of the hold that named the old master.
  view.hold = true;
  bridge.apply(view);
  auto next = view_of(6380, 3);
  EXPECT_TRUE(bridge.apply(next));
  EXPECT_FALSE(registry.current()->failover_in_progress);
}

// A view the epoch gate refuses (an older announcement) moves nobody, and its hold is
// about another master than the one routed to: it does not make those clients wait.
TEST(ServedViewBridge, AStaleViewNeitherMovesNorHolds) {
  TopologyRegistry registry;
  ServedViewBridge bridge(registry, false);
  bridge.apply(view_of(6380, 5));
  auto stale = view_of(6379, 3);
  stale.hold = true;
  EXPECT_FALSE(bridge.apply(stale));
  EXPECT_EQ(registry.current()->master_port, 6380);
  EXPECT_FALSE(registry.current()->failover_in_progress);
  // With the engine's current epoch seen at 5, 3 is stale, not a reset.
  stale.engine_epoch = 5;
  EXPECT_FALSE(bridge.apply(stale));
  EXPECT_EQ(registry.current()->master_port, 6380);
  // The engine's own epoch below the gate: the gate no longer orders what it says.
  stale.engine_epoch = 2;
  EXPECT_TRUE(bridge.apply(stale));
  EXPECT_EQ(registry.current()->master_port, 6379);
  EXPECT_EQ(registry.current()->epoch, 6u);
}

TEST(ServedViewBridge, FencesWritesOnTheMinoritySideOnlyWhenAskedTo) {
  TopologyRegistry registry;
  ServedViewBridge fencing(registry, /*fence_on_minority=*/true);
  auto view = view_of(6379, 1);
  view.reaches_majority = false;
  fencing.apply(view);
  EXPECT_TRUE(registry.current()->writes_fenced);
  // A refused view still tells where this sentinel stands.
  auto stale = view_of(6380, 0);
  stale.reaches_majority = true;
  fencing.apply(stale);
  EXPECT_FALSE(registry.current()->writes_fenced);
  // A new master is published fenced when the view says so.
  auto next = view_of(6381, 2);
  next.reaches_majority = false;
  EXPECT_TRUE(fencing.apply(next));
  EXPECT_TRUE(registry.current()->writes_fenced);

  TopologyRegistry other;
  ServedViewBridge not_fencing(other, false);
  not_fencing.apply(view);
  EXPECT_FALSE(other.current()->writes_fenced);
}

// The proxy resolved a hostname the engine has not resolved yet: the same master.
TEST(ServedViewBridge, AnUnresolvedHostnameIsTheMasterTheProxyResolved) {
  TopologyRegistry registry;
  auto first = std::make_shared<Topology>();
  first->group = "mymaster";
  first->master_host = "redis-a";
  first->master_ip = "10.0.0.9";
  first->master_port = 6379;
  registry.publish(first);
  ServedViewBridge bridge(registry, false);
  sentinel::ServedView view;
  view.group = "mymaster";
  view.master = {"", 6379, "redis-a"};
  view.config_epoch = 1;
  view.hold = true;
  EXPECT_FALSE(bridge.apply(view));
  EXPECT_EQ(registry.current()->master_ip, "10.0.0.9");
  EXPECT_TRUE(registry.current()->failover_in_progress);
  // Resolved by the engine to another address (round-robin DNS, an IPv6 literal written
  // another way): still the master routed to, so its hold still applies.
  view.master.ip = "10.0.0.10";
  view.hold = false;
  EXPECT_FALSE(bridge.apply(view));
  EXPECT_FALSE(registry.current()->failover_in_progress);
}

// fence-on-minority turned on or off at run time (PROXY CONFIG SET) fences or frees the
// writes at once, from the last view, without waiting for the next one.
TEST(ServedViewBridge, FenceSwitchedAtRunTimeFollowsTheLastView) {
  TopologyRegistry registry;
  ServedViewBridge bridge(registry, /*fence_on_minority=*/false);
  bridge.set_fence_on_minority(true);  // no view yet: nothing to fence
  EXPECT_EQ(registry.current(), nullptr);
  bridge.set_fence_on_minority(false);
  auto view = view_of(6379, 1);
  view.reaches_majority = false;
  bridge.apply(view);
  EXPECT_FALSE(registry.current()->writes_fenced);
  bridge.set_fence_on_minority(true);
  EXPECT_TRUE(registry.current()->writes_fenced);
  bridge.set_fence_on_minority(false);
  EXPECT_FALSE(registry.current()->writes_fenced);
  bridge.set_fence_on_minority(true);
  view.reaches_majority = true;
  bridge.apply(view);
  EXPECT_FALSE(registry.current()->writes_fenced);
  bridge.set_fence_on_minority(true);
  EXPECT_FALSE(registry.current()->writes_fenced);  // the sentinel reaches a majority
}

}  // namespace
}  // namespace sp::proxy

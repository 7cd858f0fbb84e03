#include "sentinel/replica_selection.h"

#include <gtest/gtest.h>

namespace sp::sentinel {
namespace {

class ReplicaSelection : public ::testing::Test {
 protected:
  Instance& add(int port, int priority, std::int64_t offset, std::string run_id) {
    Instance r;
    r.kind = InstanceKind::kReplica;
    r.addr = Address{"10.0.0.1", port};
    r.name = r.addr.to_string();
    r.link.connected = true;
    r.link.last_avail_time = now_;
    r.info_refresh = now_;
    r.slave_priority = priority;
    r.slave_repl_offset = offset;
    r.run_id = std::move(run_id);
    return group_.replicas[r.name] = r;
  }
  const Instance* pick() { return select_replica(group_, timings_, now_); }
  TimePoint now_ = TimePoint{} + ms(1'000'000);
  Group group_;
  Timings timings_;
};

TEST_F(ReplicaSelection, LowerPriorityThenLargerOffsetThenSmallerRunId) {
  add(1, 100, 500, "b");
  add(2, 50, 10, "c");
  EXPECT_EQ(pick()->addr.port, 2);  // priority first
  add(3, 50, 20, "d");
  EXPECT_EQ(pick()->addr.port, 3);  // then offset
  add(4, 50, 20, "A");
  EXPECT_EQ(pick()->addr.port, 4);  // then run id, case-insensitively ("A" < "d")
  add(5, 50, 20, "");
  EXPECT_EQ(pick()->addr.port, 4);  // unknown run id sorts last
}

TEST_F(ReplicaSelection, IneligibleReplicasAreSkipped) {
  add(1, 0, 999, "a");  // priority 0: never
  add(2, 1, 999, "a").s_down = true;
  add(3, 1, 999, "a").link.connected = false;
  add(4, 1, 999, "a").link.last_avail_time = now_ - ms(5001);
  add(5, 1, 999, "a").info_refresh = now_ - ms(30001);
  add(6, 1, 999, "a").master_link_down_time = ms(10 * 30000 + 1);
  EXPECT_EQ(pick(), nullptr);
  add(7, 100, 0, "z");
  EXPECT_EQ(pick()->addr.port, 7);
}

TEST_F(ReplicaSelection, InfoMustBeFresherWhileTheMasterIsDown) {
  group_.master.s_down = true;
  group_.master.s_down_since = now_ - ms(1000);
  add(1, 1, 0, "a").info_refresh = now_ - ms(6000);
  EXPECT_EQ(pick(), nullptr);
  add(2, 1, 0, "a").info_refresh = now_ - ms(4000);
  EXPECT_EQ(pick()->addr.port, 2);
}

}  // namespace
}  // namespace sp::sentinel

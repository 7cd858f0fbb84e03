// The failover recorder fed the notice sequences Sentinel emits (SENTINEL-PROTOCOL.md §9)
// for a leader, a follower, an aborted attempt and a master that came back, on a fake
// clock; then the ring bound, the offsets and the PROXY replies built from it.
#include "proxy/failover/failover_recorder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/reply_parser.h"
#include "protocol/value.h"
#include "proxy/failover/failover_history_reply.h"

namespace sp::proxy {
namespace {

using namespace std::chrono_literals;
using Milestone = FailoverMilestone;

using K = sentinel::NoticeKind;

// The notices of group "mymaster" on 127.0.0.1, its master on port `master` (6500 before
// the switch).
sentinel::Notice on_master(K kind, int master = 6500) {
  return sentinel::master_notice(kind, "mymaster", {"127.0.0.1", master});
}

sentinel::Notice odown() {
  sentinel::Notice n = on_master(K::kOdown);
  n.votes = 2;
  n.quorum = 2;
  return n;
}

sentinel::Notice on_instance(K kind, sentinel::InstanceKind instance, std::string name, int port,
                             int master) {
  sentinel::Notice n = on_master(kind, master);
  n.subject = sentinel::NoticeInstance{instance, std::move(name), {"127.0.0.1", port}};
  return n;
}

sentinel::Notice on_replica(K kind, int port, int master = 6500) {
  return on_instance(kind, sentinel::InstanceKind::kReplica, "127.0.0.1:" + std::to_string(port),
                     port, master);
}

sentinel::Notice on_peer(K kind, std::string id) {
  return on_instance(kind, sentinel::InstanceKind::kSentinel, std::move(id), 26379, 6500);
}

sentinel::Notice new_epoch(std::uint64_t epoch, std::string group) {
  sentinel::Notice n{.kind = K::kNewEpoch};
  n.group = std::move(group);
  n.epoch = epoch;
  return n;
}

sentinel::Notice vote(std::string leader, std::uint64_t epoch) {
  sentinel::Notice n{.kind = K::kVoteForLeader};
  n.group = "mymaster";
  n.master = {"127.0.0.1", 6500};
  n.run_id = std::move(leader);
  n.epoch = epoch;
  return n;
}

sentinel::Notice switch_master(std::string group, int from, int to) {
  sentinel::Notice n{.kind = K::kSwitchMaster};
  n.group = std::move(group);
  n.master = {"127.0.0.1", from};
  n.to = {"127.0.0.1", to};
  return n;
}
constexpr std::int64_t kUnixStart = 1'800'000'000'000;

class FailoverRecorderTest : public ::testing::Test {
 protected:
  FailoverStamp at(std::chrono::milliseconds t) const {
    return {base_ + t, kUnixStart + t.count()};
  }
  void notice(std::chrono::milliseconds t, const sentinel::Notice& n) {
    recorder_.on_notice(n, at(t), offsets_);
  }
  void publish(std::chrono::milliseconds t, const std::string& master, std::uint64_t epoch) {
    recorder_.on_published(master, epoch, at(t));
  }
  // What the engine knew while the old master was its master: the master wrote 5000
  // bytes, the replica that gets promoted had 4200 of them, the other one 4000.
  void know_old_master_offsets() {
    offsets_.master = "127.0.0.1:6500";
    offsets_.master_offset = 5000;
    offsets_.replica_offsets = {{"127.0.0.1:6501", 4200}, {"127.0.0.1:6502", 4000}};
  }
  // After the switch the engine's group names the new master and knows nothing yet.
  void know_new_master() {
    offsets_ = ReplicationOffsets{};
    offsets_.master = "127.0.0.1:6501";
  }

  // The leader's sequence, from the SDOWN at 1000 ms to +switch-master at 3000 ms.
  void leader_failover() {
    know_old_master_offsets();
    publish(0ms, "127.0.0.1:6500", 0);
    notice(1000ms, on_master(K::kSdown));
    notice(1100ms, odown());
    notice(1100ms, new_epoch(1, "mymaster"));
    notice(1100ms, on_master(K::kTryFailover));
    notice(1150ms, vote("e71fa4e8f810164c079016dbb1a05ead540060ff", 1));
    notice(1300ms, on_master(K::kElectedLeader));
    notice(1300ms, on_master(K::kFailoverStateSelectSlave));
    notice(1300ms, on_replica(K::kSelectedSlave, 6501));
    notice(1900ms, on_replica(K::kPromotedSlave, 6501));
    publish(1900ms, "127.0.0.1:6501", 1);  // the proxy swaps at the promotion
    notice(1900ms, on_master(K::kFailoverStateReconfSlaves));
    notice(2900ms, on_master(K::kFailoverEnd));
    know_new_master();
    notice(3000ms, switch_master("mymaster", 6500, 6501));
    notice(3000ms, on_replica(K::kSlave, 6502, 6501));
    notice(3000ms, on_replica(K::kSdown, 6500, 6501));
  }

  std::chrono::steady_clock::time_point base_ = std::chrono::steady_clock::now();
  ReplicationOffsets offsets_;
  FailoverRecorder recorder_{"mymaster"};
};

TEST_F(FailoverRecorderTest, LeaderFailoverHasEveryPhaseAndTheOffsetLost) {
  leader_failover();
  const auto history = recorder_.history();
  ASSERT_EQ(history.size(), 1u);
  const FailoverRecord& r = history[0];
  EXPECT_EQ(r.id, 1u);
  EXPECT_EQ(r.outcome, FailoverOutcome::kSwitched);
  EXPECT_EQ(r.reason, "");
  EXPECT_EQ(r.old_master, "127.0.0.1:6500");
  EXPECT_EQ(r.new_master, "127.0.0.1:6501");
  EXPECT_EQ(r.config_epoch, 1u);
  EXPECT_TRUE(r.leader);
  EXPECT_EQ(r.started_at_unix_ms, kUnixStart + 1000);
  EXPECT_EQ(r.ms(Milestone::kSdown), 0);
  EXPECT_EQ(r.ms(Milestone::kOdown), 100);
  EXPECT_EQ(r.ms(Milestone::kElected), 300);
  EXPECT_EQ(r.ms(Milestone::kPromoted), 900);
  EXPECT_EQ(r.ms(Milestone::kSwapped), 900);
  EXPECT_EQ(r.ms(Milestone::kEnded), 2000);
  EXPECT_EQ(r.offset_lost, 800);

  const FailoverTotals t = recorder_.totals();
  EXPECT_EQ(t.outcomes, (std::array<std::int64_t, 3>{1, 0, 0}));
  EXPECT_EQ(t.last_offset_lost, 800);
  EXPECT_EQ(t.offset_lost_bytes, 800);
  const auto& total = t.phases[static_cast<std::size_t>(FailoverPhase::kTotal)];
  EXPECT_EQ(total.count, 1);
  EXPECT_DOUBLE_EQ(total.sum_seconds, 2.0);
  EXPECT_EQ(total.buckets[5], 1);  // (1.0, 2.5]
  const auto& sdown_to_odown = t.phases[static_cast<std::size_t>(FailoverPhase::kSdownToOdown)];
  EXPECT_EQ(sdown_to_odown.buckets[1], 1);  // (0.05, 0.1]
  const auto& swap = t.phases[static_cast<std::size_t>(FailoverPhase::kPromotedToSwapped)];
  EXPECT_EQ(swap.buckets[0], 1);
}

TEST_F(FailoverRecorderTest, FollowerLearnsTheSwitchAndKeepsTheOffsetsItKnewBefore) {
  know_old_master_offsets();
  publish(0ms, "127.0.0.1:6500", 0);
  notice(500ms, new_epoch(1, "mymaster"));
  notice(500ms, vote("e71fa4e8f810164c079016dbb1a05ead540060ff", 1));
  notice(1000ms, on_master(K::kSdown));
  notice(1200ms, odown());
  // The hello that carries the new configuration: the engine switched in the same step,
  // so the offsets handed over with these notices are the new master's.
  know_new_master();
  notice(2500ms, on_peer(K::kConfigUpdateFrom, "e71fa4e8f810164c079016dbb1a05ead540060ff"));
  notice(2500ms, switch_master("mymaster", 6500, 6501));
  publish(2501ms, "127.0.0.1:6501", 1);

  const auto history = recorder_.history();
  ASSERT_EQ(history.size(), 1u);
  const FailoverRecord& r = history[0];
  EXPECT_EQ(r.outcome, FailoverOutcome::kSwitched);
  EXPECT_FALSE(r.leader);
  EXPECT_EQ(r.old_master, "127.0.0.1:6500");
  EXPECT_EQ(r.new_master, "127.0.0.1:6501");
  EXPECT_EQ(r.config_epoch, 1u);
  EXPECT_EQ(r.ms(Milestone::kSdown), 0);
  EXPECT_EQ(r.ms(Milestone::kOdown), 200);
  EXPECT_EQ(r.ms(Milestone::kElected), 1500);
  EXPECT_EQ(r.ms(Milestone::kPromoted), -1);
  EXPECT_EQ(r.ms(Milestone::kSwapped), 1501);
  EXPECT_EQ(r.ms(Milestone::kEnded), 1500);
  EXPECT_EQ(r.offset_lost, 800);
  const FailoverTotals t = recorder_.totals();
  EXPECT_EQ(t.outcomes[0], 1);
  ASSERT_TRUE(t.last.has_value());
  EXPECT_EQ(t.last->ms(Milestone::kSwapped), 1501);
  EXPECT_EQ(t.phases[static_cast<std::size_t>(FailoverPhase::kElectedToPromoted)].count, 0);
  EXPECT_EQ(t.phases[static_cast<std::size_t>(FailoverPhase::kOdownToElected)].count, 1);
}

// The promoted replica's INFO says "master" before the switch reaches a follower: the
// engine lists it as a replica no more, and the offset it had as one still counts.
TEST_F(FailoverRecorderTest, FollowerKeepsThePromotedReplicasOffsetAfterItReportsMaster) {
  know_old_master_offsets();
  publish(0ms, "127.0.0.1:6500", 0);
  notice(1000ms, on_master(K::kSdown));
  offsets_.replica_offsets.erase("127.0.0.1:6501");  // its INFO now says role:master
  notice(1200ms, odown());
  know_new_master();
  notice(1500ms, switch_master("mymaster", 6500, 6501));
  const auto history = recorder_.history();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].offset_lost, 800);
}

TEST_F(FailoverRecorderTest, AbortNamesTheReasonAndALaterSwitchStartsAtTheSameSdown) {
  know_old_master_offsets();
  notice(1000ms, on_master(K::kSdown));
  notice(1100ms, odown());
  notice(1100ms, new_epoch(3, "mymaster"));
  notice(1100ms, on_master(K::kTryFailover));
  notice(11100ms, on_master(K::kFailoverAbortNotElected));
  // Meanwhile a peer won the election and its configuration arrives.
  know_new_master();
  notice(12000ms, on_peer(K::kConfigUpdateFrom, "abc"));
  notice(12000ms, switch_master("mymaster", 6500, 6501));

  const auto history = recorder_.history();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].outcome, FailoverOutcome::kAborted);
  EXPECT_EQ(history[1].reason, "not-elected");
  EXPECT_EQ(history[1].config_epoch, 3u);
  EXPECT_EQ(history[1].ms(Milestone::kEnded), 10100);
  EXPECT_EQ(history[1].ms(Milestone::kElected), -1);
  EXPECT_EQ(history[0].outcome, FailoverOutcome::kSwitched);
  EXPECT_EQ(history[0].id, 2u);
  EXPECT_EQ(history[0].started_at_unix_ms, kUnixStart + 1000);
  EXPECT_EQ(history[0].ms(Milestone::kOdown), 100);
  EXPECT_EQ(history[0].ms(Milestone::kElected), 11000);
  const FailoverTotals t = recorder_.totals();
  EXPECT_EQ(t.outcomes, (std::array<std::int64_t, 3>{1, 1, 0}));
  // Aborted attempts are not failover durations.
  EXPECT_EQ(t.phases[static_cast<std::size_t>(FailoverPhase::kTotal)].count, 1);
}

TEST_F(FailoverRecorderTest, MasterBackBeforeAnyFailoverIsRecovered) {
  notice(1000ms, on_master(K::kSdown));
  EXPECT_EQ(recorder_.history().at(0).outcome, FailoverOutcome::kInProgress);
  notice(1700ms, on_master(K::kSdownEnded));
  const auto history = recorder_.history();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].outcome, FailoverOutcome::kRecovered);
  EXPECT_EQ(history[0].ms(Milestone::kEnded), 700);
  EXPECT_EQ(history[0].new_master, "");
  EXPECT_EQ(recorder_.totals().outcomes, (std::array<std::int64_t, 3>{0, 0, 1}));
  EXPECT_EQ(recorder_.totals().last_offset_lost, -1);
}

TEST_F(FailoverRecorderTest, MasterBackDuringOurFailoverDoesNotEndIt) {
  notice(1000ms, on_master(K::kSdown));
  notice(1100ms, odown());
  notice(1100ms, on_master(K::kTryFailover));
  notice(1200ms, on_master(K::kSdownEnded));
  EXPECT_EQ(recorder_.history().at(0).outcome, FailoverOutcome::kInProgress);
}

TEST_F(FailoverRecorderTest, ManualFailoverWithoutSdownStartsAtTryFailover) {
  know_old_master_offsets();
  publish(0ms, "127.0.0.1:6500", 1);  // the start-up master is no swap
  notice(0ms, new_epoch(2, "mymaster"));
  notice(0ms, on_master(K::kTryFailover));
  notice(0ms, on_master(K::kElectedLeader));
  notice(400ms, on_replica(K::kPromotedSlave, 6501));
  publish(400ms, "127.0.0.1:6501", 2);
  know_new_master();
  notice(1000ms, switch_master("mymaster", 6500, 6501));
  const FailoverRecord r = recorder_.history().at(0);
  EXPECT_EQ(r.outcome, FailoverOutcome::kSwitched);
  EXPECT_EQ(r.ms(Milestone::kSdown), -1);
  EXPECT_EQ(r.ms(Milestone::kOdown), -1);
  EXPECT_EQ(r.ms(Milestone::kElected), 0);
  EXPECT_EQ(r.ms(Milestone::kPromoted), 400);
  EXPECT_EQ(r.ms(Milestone::kSwapped), 400);
  EXPECT_EQ(r.ms(Milestone::kEnded), 1000);
  EXPECT_EQ(r.started_at_unix_ms, kUnixStart);
}

TEST_F(FailoverRecorderTest, OffsetLostNeverNegativeAndUnknownWithoutInfo) {
  FailoverRecorder unknown{"mymaster"};
  ReplicationOffsets none;
  none.master = "127.0.0.1:6500";  // no INFO from the master yet
  unknown.on_notice(on_replica(K::kPromotedSlave, 6501), at(0ms), none);
  EXPECT_EQ(unknown.history().at(0).offset_lost, -1);

  // The replica's INFO came after the master's last one.
  FailoverRecorder ahead{"mymaster"};
  ReplicationOffsets late = none;
  late.master_offset = 100;
  late.replica_offsets = {{"127.0.0.1:6501", 250}};
  ahead.on_notice(on_replica(K::kPromotedSlave, 6501), at(0ms), late);
  EXPECT_EQ(ahead.history().at(0).offset_lost, 0);
}

TEST_F(FailoverRecorderTest, KeepsTheLastSixteenNewestFirst) {
  for (int i = 0; i < 20; ++i) {
    const auto t = std::chrono::milliseconds(i * 1000);
    notice(t, on_master(K::kSdown));
    notice(t + 100ms, on_master(K::kSdownEnded));
  }
  const auto history = recorder_.history();
  ASSERT_EQ(history.size(), FailoverRecorder::kHistorySize);
  EXPECT_EQ(history.front().id, 20u);
  EXPECT_EQ(history.back().id, 5u);
  EXPECT_EQ(recorder_.totals().outcomes[2], 20);
}

TEST_F(FailoverRecorderTest, OtherGroupsAndInstancesAreIgnored) {
  notice(0ms, sentinel::master_notice(K::kSdown, "other", {"127.0.0.1", 7000}));
  notice(0ms, on_replica(K::kSdown, 6501, 6500));
  notice(0ms, switch_master("other", 7000, 7001));
  notice(0ms, new_epoch(9, "other"));
  EXPECT_TRUE(recorder_.history().empty());
  EXPECT_EQ(recorder_.totals().outcomes, (std::array<std::int64_t, 3>{0, 0, 0}));
}

TEST_F(FailoverRecorderTest, SameEpochRepublishIsNotASwap) {
  publish(0ms, "127.0.0.1:6500", 4);
  notice(1000ms, on_master(K::kSdown));
  publish(1000ms, "127.0.0.1:6500", 4);  // failover_in_progress set: same master, same epoch
  EXPECT_EQ(recorder_.history().at(0).ms(Milestone::kSwapped), -1);
}

// RESP2: an array of flat field/value arrays, newest first.
TEST_F(FailoverRecorderTest, HistoryReplyListsRecordsWithTheirTimings) {
  leader_failover();
  auto value = protocol::decode_value(failover_history_reply(recorder_, 2));
  ASSERT_TRUE(value.has_value());
  ASSERT_EQ(value->elements.size(), 1u);
  const auto& fields = value->elements[0].elements;
  ASSERT_EQ(fields.size(), 30u);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < fields.size(); i += 2) names.push_back(fields[i].text);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "outcome", "reason", "old-master", "new-master",
                                             "config-epoch", "leader", "started-at", "sdown-ms",
                                             "odown-ms", "elected-ms", "promoted-ms", "swapped-ms",
                                             "total-ms", "offset-lost"}));
  EXPECT_EQ(fields[3].text, "switched");
  EXPECT_EQ(fields[9].text, "127.0.0.1:6501");
  EXPECT_EQ(fields[13].text, "yes");
  EXPECT_EQ(fields[15].integer, kUnixStart + 1000);
  EXPECT_EQ(fields[21].integer, 300);
  EXPECT_EQ(fields[27].integer, 2000);
  EXPECT_EQ(fields[29].integer, 800);
  EXPECT_EQ(failover_history_reply(FailoverRecorder("mymaster"), 3), "*0\r\n");
  EXPECT_EQ(failover_history_reply(recorder_, 3).substr(0, 8), "*1\r\n%15\r");
}

TEST_F(FailoverRecorderTest, InfoFieldsSummariseTheLastFailover) {
  EXPECT_EQ(failover_info_fields(recorder_),
            "failovers_total:0\r\nlast_failover_outcome:none\r\nlast_failover_total_ms:-1\r\n"
            "last_offset_lost:-1\r\n");
  leader_failover();
  EXPECT_EQ(failover_info_fields(recorder_),
            "failovers_total:1\r\nlast_failover_outcome:switched\r\nlast_failover_total_ms:2000\r\n"
            "last_offset_lost:800\r\n");
}

}  // namespace
}  // namespace sp::proxy

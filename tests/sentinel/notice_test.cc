// Every notice kind formats to Sentinel's event name and text, byte for byte (one example
// each, the texts as redis-sentinel writes them).
#include "sentinel/notice.h"
#include "sentinel/script_triggers.h"

#include <gtest/gtest.h>

#include <set>
#include <string_view>
#include <utility>
#include <vector>

namespace sp::sentinel {
namespace {

const ShownAddress kMaster{"127.0.0.1", 6379};

Notice about_master(NoticeKind kind) {
  return master_notice(kind, "mymaster", kMaster);
}

Notice about(NoticeKind kind, InstanceKind instance, std::string name, ShownAddress addr) {
  Notice n = about_master(kind);
  n.subject = NoticeInstance{instance, std::move(name), std::move(addr)};
  return n;
}

Notice about_replica(NoticeKind kind) {
  return about(kind, InstanceKind::kReplica, "127.0.0.1:6380", {"127.0.0.1", 6380});
}

Notice about_sentinel(NoticeKind kind) {
  return about(kind, InstanceKind::kSentinel, "abc", {"127.0.0.1", 26380});
}

Notice sentinel_wide(NoticeKind kind) {
  return Notice{.kind = kind};
}

struct Example {
  Notice notice;
  std::string name;
  std::string text;
};

const char* const kM = "master mymaster 127.0.0.1 6379";
const char* const kR = "slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379";
const char* const kS = "sentinel abc 127.0.0.1 26380 @ mymaster 127.0.0.1 6379";

std::vector<Example> examples() {
  using K = NoticeKind;
  std::vector<Example> out;
  auto add = [&](Notice n, std::string name, std::string text) {
    out.push_back({std::move(n), std::move(name), std::move(text)});
  };
  Notice monitor = about_master(K::kMonitor);
  monitor.quorum = 2;
  add(monitor, "+monitor", std::string(kM) + " quorum 2");
  add(about_master(K::kUnmonitor), "-monitor", kM);
  add(about_master(K::kResetMaster), "+reset-master", kM);
  Notice set = about_master(K::kSet);
  set.option = "auth-pass";
  set.value = "******";
  add(set, "+set", std::string(kM) + " auth-pass ******");
  add(about_replica(K::kSdown), "+sdown", kR);
  add(about_master(K::kSdownEnded), "-sdown", kM);
  Notice odown = about_master(K::kOdown);
  odown.votes = 3;
  odown.quorum = 2;
  add(odown, "+odown", std::string(kM) + " #quorum 3/2");
  add(about_master(K::kOdownEnded), "-odown", kM);
  Notice epoch{.kind = K::kNewEpoch};
  epoch.group = "mymaster";
  epoch.epoch = 7;
  add(epoch, "+new-epoch", "7");
  Notice vote{.kind = K::kVoteForLeader};
  vote.group = "mymaster";
  vote.run_id = "b3f1";
  vote.epoch = 7;
  add(vote, "+vote-for-leader", "b3f1 7");
  add(about_master(K::kTryFailover), "+try-failover", kM);
  add(about_master(K::kElectedLeader), "+elected-leader", kM);
  add(about_master(K::kFailoverStateSelectSlave), "+failover-state-select-slave", kM);
  add(about_replica(K::kSelectedSlave), "+selected-slave", kR);
  add(about_replica(K::kFailoverStateSendSlaveofNoone), "+failover-state-send-slaveof-noone", kR);
  add(about_replica(K::kFailoverStateWaitPromotion), "+failover-state-wait-promotion", kR);
  add(about_replica(K::kPromotedSlave), "+promoted-slave", kR);
  add(about_master(K::kFailoverStateReconfSlaves), "+failover-state-reconf-slaves", kM);
  add(about_replica(K::kSlaveReconfSent), "+slave-reconf-sent", kR);
  add(about_replica(K::kSlaveReconfSentTimeout), "-slave-reconf-sent-timeout", kR);
  add(about_replica(K::kSlaveReconfInprog), "+slave-reconf-inprog", kR);
  add(about_replica(K::kSlaveReconfDone), "+slave-reconf-done", kR);
  add(about_replica(K::kSlaveReconfSentBe), "+slave-reconf-sent-be", kR);
  add(about_master(K::kFailoverEndForTimeout), "+failover-end-for-timeout", kM);
  add(about_master(K::kFailoverEnd), "+failover-end", kM);
  add(about_master(K::kFailoverAbortNotElected), "-failover-abort-not-elected", kM);
  add(about_master(K::kFailoverAbortNoGoodSlave), "-failover-abort-no-good-slave", kM);
  add(about_master(K::kFailoverAbortSlaveTimeout), "-failover-abort-slave-timeout", kM);
  Notice sw{.kind = K::kSwitchMaster};
  sw.group = "mymaster";
  sw.master = kMaster;
  sw.to = {"127.0.0.1", 6380};
  add(sw, "+switch-master", "mymaster 127.0.0.1 6379 127.0.0.1 6380");
  add(about_sentinel(K::kConfigUpdateFrom), "+config-update-from", kS);
  add(about_master(K::kConvertToSlave), "+convert-to-slave", kM);
  add(about_replica(K::kFixSlaveConfig), "+fix-slave-config", kR);
  add(about_replica(K::kSlave), "+slave", kR);
  add(about_sentinel(K::kSentinel), "+sentinel", kS);
  Notice moved = about_master(K::kSentinelAddressSwitch);
  moved.to = {"10.0.0.9", 26390};
  moved.run_id = "abc";
  add(moved, "+sentinel-address-switch", std::string(kM) + " ip 10.0.0.9 port 26390 for abc");
  Notice updated = about_sentinel(K::kSentinelAddressUpdate);
  updated.count = 2;
  add(updated, "+sentinel-address-update", std::string(kS) + " 2 additional matching instances");
  add(about_sentinel(K::kSentinelInvalidAddr), "+sentinel-invalid-addr", kS);
  add(about_master(K::kReboot), "+reboot", kM);
  Notice role = about_replica(K::kRoleChange);
  role.role = Role::kSlave;
  add(role, "+role-change", std::string(kR) + " new reported role is slave");
  Notice unexpected = about_replica(K::kRoleChangeUnexpected);
  unexpected.role = Role::kMaster;
  add(unexpected, "-role-change", std::string(kR) + " new reported role is master");
  add(sentinel_wide(K::kTilt), "+tilt", "#tilt mode entered");
  add(sentinel_wide(K::kTiltEnded), "-tilt", "#tilt mode exited");
  Notice rejected = sentinel_wide(K::kHelloRejected);
  rejected.reason = "malformed hello x";
  rejected.count = 4;
  add(rejected, "-hello-rejected", "malformed hello x (and 4 more since the last)");
  add(script_error_notice("/s.sh", 0, 2), "-script-error", "/s.sh 0 2");
  Notice timeout = sentinel_wide(K::kScriptTimeout);
  timeout.script = "/s.sh";
  timeout.pid = 4242;
  add(timeout, "-script-timeout", "/s.sh 4242");
  return out;
}

TEST(NoticeText, EveryKindFormatsAsSentinelDoes) {
  std::set<NoticeKind> seen;
  for (const Example& e : examples()) {
    EXPECT_EQ(to_string(e.notice.kind), e.name);
    EXPECT_EQ(to_text(e.notice), e.text) << e.name;
    EXPECT_EQ(notice_kind(e.name), e.notice.kind) << e.name;
    seen.insert(e.notice.kind);
  }
  EXPECT_EQ(seen.size(), kNoticeKinds) << "a kind without an example";
}

// The level mark redis-sentinel 7.0.15 put before each event in its log, in a failover of a
// killed master with one replica and under SENTINEL SET / RESET / REMOVE / MONITOR.
TEST(NoticeText, LoggedAtRedisSentinelsLevel) {
  for (const auto& [name, mark] : std::vector<std::pair<std::string_view, char>>{
           {"+monitor", '#'},
           {"-monitor", '#'},
           {"+set", '#'},
           {"+reset-master", '#'},
           {"+slave", '*'},
           {"+sdown", '#'},
           {"+odown", '#'},
           {"+new-epoch", '#'},
           {"+try-failover", '#'},
           {"+vote-for-leader", '#'},
           {"+elected-leader", '#'},
           {"+failover-state-select-slave", '#'},
           {"+selected-slave", '#'},
           {"+failover-state-send-slaveof-noone", '*'},
           {"+failover-state-wait-promotion", '*'},
           {"+promoted-slave", '#'},
           {"+failover-state-reconf-slaves", '#'},
           {"+failover-end", '#'},
           {"+switch-master", '#'},
       }) {
    const auto kind = notice_kind(name);
    ASSERT_TRUE(kind.has_value()) << name;
    EXPECT_EQ(notice_level(*kind) == NoticeLevel::kWarning ? '#' : '*', mark) << name;
  }
}

TEST(NoticeText, AHelloRejectedWithNothingUnreportedHasNoTail) {
  Notice n{.kind = NoticeKind::kHelloRejected};
  n.reason = "malformed hello x";
  EXPECT_EQ(to_text(n), "malformed hello x");
}

TEST(NoticeText, AbortReasonsAndUnknownNames) {
  EXPECT_EQ(failover_abort_reason(NoticeKind::kFailoverAbortNotElected), "not-elected");
  EXPECT_EQ(failover_abort_reason(NoticeKind::kFailoverAbortNoGoodSlave), "no-good-slave");
  EXPECT_EQ(failover_abort_reason(NoticeKind::kFailoverAbortSlaveTimeout), "slave-timeout");
  EXPECT_EQ(failover_abort_reason(NoticeKind::kFailoverEnd), std::nullopt);
  EXPECT_EQ(notice_kind("+script-child"), std::nullopt);
}

}  // namespace
}  // namespace sp::sentinel

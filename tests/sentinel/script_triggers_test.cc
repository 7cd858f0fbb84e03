// Which scripts the engine's notices schedule: fed the notices of real engine runs (the
// fixture's fake instances), as the shell feeds them.
#include "sentinel/script_triggers.h"

#include <gtest/gtest.h>

#include "tests/sentinel/engine_fixture.h"

namespace sp::sentinel {
namespace {

using Argv = std::vector<std::string>;

class ScriptTriggersTest : public EngineFixture {
 protected:
  GroupConfig group_with_scripts() const {
    GroupConfig g = default_group();
    g.notification_script = "/scripts/notify.sh";
    g.client_reconfig_script = "/scripts/reconfig.sh";
    return g;
  }
  // Three sentinels (us + two peers), master and two replicas all healthy.
  void start_healthy() {
    start(group_with_scripts());
    add_peer(kPeer1, 26380);
    add_peer(kPeer2, 26381);
    run_for(ms(2000));
    clear_log();
  }
  std::vector<Argv> scripts_for_notices() {
    std::vector<Argv> out;
    for (const Notice& n : notices_) {
      for (Argv& argv : triggers_.on_notice(n, engine_->groups())) out.push_back(std::move(argv));
    }
    return out;
  }
  ScriptTriggers triggers_;
};

TEST(NoticeLevelTest, LevelsOfSection9) {
  EXPECT_EQ(notice_level(NoticeKind::kSdown), NoticeLevel::kWarning);
  EXPECT_EQ(notice_level(NoticeKind::kSwitchMaster), NoticeLevel::kWarning);
  EXPECT_EQ(notice_level(NoticeKind::kScriptError), NoticeLevel::kWarning);
  EXPECT_EQ(notice_level(NoticeKind::kSlave), NoticeLevel::kNotice);
  EXPECT_EQ(notice_level(NoticeKind::kSlaveReconfSent), NoticeLevel::kNotice);
  EXPECT_EQ(notice_level(NoticeKind::kRoleChangeUnexpected), NoticeLevel::kVerbose);
}

// A sentinel-wide event (no group) runs no script.
TEST_F(ScriptTriggersTest, SentinelWideEventsRunNoScript) {
  start(group_with_scripts());
  clear_log();
  Notice tilt{.kind = NoticeKind::kTilt};
  EXPECT_TRUE(triggers_.on_notice(tilt, engine_->groups()).empty());
}

TEST_F(ScriptTriggersTest, LeaderRunsTheNotificationScriptForWarningsAndReconfigAsLeader) {
  start_healthy();
  redis_[addr(6379)].alive = false;
  run_until_notice("+switch-master", ms(30000));
  std::vector<Argv> expected;
  for (const Notice& n : notices_) {
    if (notice_level(n.kind) == NoticeLevel::kWarning) {
      expected.push_back({"/scripts/notify.sh", std::string(to_string(n.kind)), to_text(n)});
    }
    if (n.kind == NoticeKind::kFailoverStateReconfSlaves) {
      expected.push_back({"/scripts/reconfig.sh", "mymaster", "leader", "start", "127.0.0.1",
                          "6379", "127.0.0.1", "6380"});
    }
  }
  EXPECT_EQ(scripts_for_notices(), expected);
  // The events whose texts do not name the group run its script too.
  EXPECT_NE(
      std::find(expected.begin(), expected.end(), Argv{"/scripts/notify.sh", "+new-epoch", "1"}),
      expected.end());
  EXPECT_NE(std::find(expected.begin(), expected.end(),
                      Argv{"/scripts/notify.sh", "+vote-for-leader", kMyId + " 1"}),
            expected.end());
}

TEST_F(ScriptTriggersTest, FollowerRunsReconfigAsObserverAtASwitchLearnedFromAHello) {
  start_healthy();
  deliver(HelloReceived{hello_from(kPeer1, 26380, 3, 6381, 3), true});
  const std::vector<Argv> scripts = scripts_for_notices();
  ASSERT_GE(scripts.size(), 3u);
  EXPECT_EQ(scripts.back(), (Argv{"/scripts/reconfig.sh", "mymaster", "observer", "start",
                                  "127.0.0.1", "6379", "127.0.0.1", "6381"}));
  EXPECT_EQ(scripts[scripts.size() - 2], (Argv{"/scripts/notify.sh", "+switch-master",
                                               "mymaster 127.0.0.1 6379 127.0.0.1 6381"}));
}

TEST_F(ScriptTriggersTest, ARemovedGroupRunsItsScriptForMinusMonitor) {
  start(group_with_scripts());
  EXPECT_EQ(scripts_for_notices(),
            (std::vector<Argv>{
                {"/scripts/notify.sh", "+monitor", "master mymaster 127.0.0.1 6379 quorum 2"}}));
  clear_log();
  engine_->remove_group("mymaster");
  drain();
  EXPECT_EQ(
      scripts_for_notices(),
      (std::vector<Argv>{{"/scripts/notify.sh", "-monitor", "master mymaster 127.0.0.1 6379"}}));
}

TEST_F(ScriptTriggersTest, SentinelSetOfScriptsFollowsThePolicy) {
  start();
  const std::string denied =
      "Reconfiguration of scripts path is denied for security reasons. Check the "
      "deny-scripts-reconfig configuration directive in your Sentinel configuration";
  EXPECT_EQ(engine_->set_group_option("mymaster", "notification-script", "/ok.sh"), denied);
  EXPECT_EQ(engine_->set_group_option("mymaster", "client-reconfig-script", "/ok.sh"), denied);
  engine_->set_script_policy({false, [](const std::string& path) { return path == "/ok.sh"; }});
  EXPECT_EQ(engine_->set_group_option("mymaster", "notification-script", "/no.sh"),
            "Notification script seems non existing or non executable");
  EXPECT_EQ(engine_->set_group_option("mymaster", "client-reconfig-script", "/no.sh"),
            "Client reconfiguration script seems non existing or non executable");
  clear_log();
  EXPECT_EQ(engine_->set_group_option("mymaster", "notification-script", "/ok.sh"), "");
  EXPECT_EQ(engine_->set_group_option("mymaster", "client-reconfig-script", "/ok.sh"), "");
  drain();
  EXPECT_EQ(group().config.notification_script, "/ok.sh");
  EXPECT_EQ(group().config.client_reconfig_script, "/ok.sh");
  EXPECT_TRUE(has_notice("+set", "master mymaster 127.0.0.1 6379 notification-script /ok.sh"));
  // The new script already runs for the +set that announced it.
  EXPECT_EQ(scripts_for_notices().front(),
            (Argv{"/ok.sh", "+set", "master mymaster 127.0.0.1 6379 notification-script /ok.sh"}));
  // An empty path removes the script.
  EXPECT_EQ(engine_->set_group_option("mymaster", "notification-script", ""), "");
  EXPECT_EQ(group().config.notification_script, "");
}

TEST_F(ScriptTriggersTest, NoScriptsNoJobs) {
  start();
  redis_[addr(6379)].alive = false;
  add_peer(kPeer1, 26380);
  run_for(ms(5000));
  EXPECT_TRUE(scripts_for_notices().empty());
}

}  // namespace
}  // namespace sp::sentinel

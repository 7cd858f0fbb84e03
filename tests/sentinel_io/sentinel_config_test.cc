// sentinel.conf loading and the rewrite that persists the sentinel's state.
#include "sentinel/io/config/sentinel_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/processes.h"

namespace sp::sentinel::io {
namespace {

std::string temp_file(const std::string& text) {
  static int n = 0;
  const std::string path =
      sp::testing::process_temp_dir() + "/sentinel-config-test-" + std::to_string(n++);
  std::ofstream(path) << text;
  return path;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The sentinel port's keepalive, as redis-sentinel takes it from its file (300 without).
TEST(SentinelConfig, TakesTcpKeepaliveForTheSentinelPort) {
  const std::string monitor = "sentinel monitor mymaster 127.0.0.1 6379 2\n";
  EXPECT_EQ(load_sentinel_config(temp_file(monitor)).tcp_keepalive, std::chrono::seconds(300));
  EXPECT_EQ(load_sentinel_config(temp_file(monitor + "tcp-keepalive 60\n")).tcp_keepalive,
            std::chrono::seconds(60));
  EXPECT_EQ(load_sentinel_config(temp_file(monitor + "tcp-keepalive 0\n")).tcp_keepalive,
            std::chrono::seconds(0));
  EXPECT_THROW(load_sentinel_config(temp_file(monitor + "tcp-keepalive -1\n")),
               SentinelConfigError);
}

TEST(SentinelConfig, LoadsSentinelDirectivesAndToleratesServerOnes) {
  const auto path = temp_file(
      "port 26390\n"
      "daemonize no\n"
      "dir /tmp\n"
      "sentinel monitor mymaster 127.0.0.1 6379 2\n"
      "sentinel down-after-milliseconds mymaster 1000\n"
      "sentinel auth-pass mymaster \"pass word\"\n"
      "sentinel myid 0123456789012345678901234567890123456789\n"
      "sentinel current-epoch 7\n"
      "sentinel known-sentinel mymaster 10.0.0.1 26379 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
  const SentinelFileConfig c = load_sentinel_config(path);
  EXPECT_EQ(c.engine.port, 26390);
  ASSERT_EQ(c.engine.groups.size(), 1u);
  EXPECT_EQ(c.engine.groups[0].down_after, ms(1000));
  EXPECT_EQ(c.engine.groups[0].auth_pass, "pass word");
  ASSERT_TRUE(c.persisted.has_value());
  EXPECT_EQ(c.persisted->current_epoch, 7u);
  EXPECT_EQ(c.persisted->groups.at(0).known_sentinels.at(0).addr.ip, "10.0.0.1");
}

TEST(SentinelConfig, ErrorsNameFileLineAndReason) {
  const auto path = temp_file("port 26390\nsentinel monitor mymaster 127.0.0.1 6379 0\n");
  try {
    load_sentinel_config(path);
    FAIL() << "a quorum of 0 was accepted";
  } catch (const SentinelConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              path +
                  ":2: Quorum must be 1 or greater. (>>> 'sentinel monitor mymaster "
                  "127.0.0.1 6379 0')");
  }
  EXPECT_THROW(load_sentinel_config(temp_file("sentinel down-after-milliseconds x 1\n")),
               SentinelConfigError);
  EXPECT_THROW(load_sentinel_config(temp_file("bogus-directive 1\n")), SentinelConfigError);
}

// Scripts must be executable files at load, with Sentinel's texts; deny-scripts-reconfig
// is yes unless the file says no.
TEST(SentinelConfig, ScriptsMustBeExecutableAtLoad) {
  const std::string script = temp_file("#!/bin/sh\n");
  const std::string plain = temp_file("not executable\n");
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  const std::string monitor = "sentinel monitor mymaster 127.0.0.1 6379 2\n";
  const SentinelFileConfig c = load_sentinel_config(
      temp_file(monitor + "sentinel notification-script mymaster " + script +
                "\nsentinel client-reconfig-script mymaster " + script + "\n"));
  EXPECT_EQ(c.engine.groups.at(0).notification_script, script);
  EXPECT_EQ(c.engine.groups.at(0).client_reconfig_script, script);
  EXPECT_TRUE(c.deny_scripts_reconfig);
  EXPECT_FALSE(load_sentinel_config(temp_file(monitor + "sentinel deny-scripts-reconfig no\n"))
                   .deny_scripts_reconfig);
  auto error_of = [&](const std::string& line) {
    try {
      load_sentinel_config(temp_file(monitor + line + "\n"));
    } catch (const SentinelConfigError& e) {
      const std::string what = e.what();
      return what.substr(what.find(": ") + 2);
    }
    return std::string("accepted");
  };
  EXPECT_EQ(error_of("sentinel notification-script mymaster " + plain),
            "Notification script seems non existing or non executable. (>>> "
            "'sentinel notification-script mymaster " +
                plain + "')");
  EXPECT_EQ(error_of("sentinel client-reconfig-script mymaster /nonexistent"),
            "Client reconfiguration script seems non existing or non executable. (>>> "
            "'sentinel client-reconfig-script mymaster /nonexistent')");
  EXPECT_EQ(error_of("sentinel deny-scripts-reconfig maybe"),
            "Please specify yes or no for the deny-scripts-reconfig options. (>>> "
            "'sentinel deny-scripts-reconfig maybe')");
  EXPECT_EQ(error_of("sentinel notification-script other " + script),
            "No such master with specified name. (>>> 'sentinel notification-script other " +
                script + "')");
}

// The scripts are written after parallel-syncs (notification first), as Sentinel's
// rewrite orders them, and only while set; an option already in the file is rewritten
// where it stands, the others appended.
TEST(SentinelConfig, RewriteWritesScriptsAfterParallelSyncs) {
  GroupConfig group;
  group.name = "mymaster";
  group.address = {"127.0.0.1", 6379};
  group.parallel_syncs = 2;
  group.auth_pass = "secret";
  group.notification_script = "/scripts/notify.sh";
  group.client_reconfig_script = "/scripts/reconfig.sh";
  SentinelFileConfig file;
  file.lines = lines_of(
      "sentinel monitor mymaster 127.0.0.1 6379 2\n"
      "sentinel notification-script mymaster /scripts/old.sh\n");
  PersistedState state;
  state.myid = std::string(40, 'a');
  const std::string text = render_sentinel_config(file, state, {group});
  EXPECT_EQ(text.find("sentinel monitor mymaster 127.0.0.1 6379 2\n"
                      "sentinel notification-script mymaster /scripts/notify.sh\n"
                      "# Generated by CONFIG REWRITE\n"),
            0u)
      << text;
  EXPECT_NE(text.find("sentinel parallel-syncs mymaster 2\n"
                      "sentinel client-reconfig-script mymaster /scripts/reconfig.sh\n"
                      "sentinel auth-pass mymaster secret\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("old.sh"), std::string::npos) << text;
  group.notification_script.clear();
  EXPECT_EQ(render_sentinel_config(file, state, {group}).find("notification-script"),
            std::string::npos);
}

// What the rewrite writes must load back to the same state, whatever the values hold.
TEST(SentinelConfig, RewriteKeepsOperatorLinesAndReadsBackTheSameState) {
  const std::string original =
      "# my sentinel\n"
      "port 26390\n"
      "sentinel monitor mymaster 127.0.0.1 6379 2\n"
      "# keep this comment\n"
      "sentinel down-after-milliseconds mymaster 1000\n"
      "sentinel monitor gone 127.0.0.1 6400 1\n";
  GroupConfig group;
  group.name = "mymaster";
  group.address = {"127.0.0.1", 6379};
  group.quorum = 2;
  group.down_after = ms(1000);
  group.auth_pass = "pass \"word\"";
  PersistedState state;
  state.myid = std::string(40, 'a');
  state.current_epoch = 3;
  PersistedGroup g;
  g.name = "mymaster";
  g.master = {"127.0.0.1", 6380};  // switched
  g.config_epoch = 3;
  g.leader_epoch = 3;
  g.known_replicas = {{"127.0.0.1", 6379}};
  PersistedSentinel peer;
  // (A peer announcing an empty IP is no longer possible: such a hello adds no sentinel,
  // as in Sentinel, and the file refuses the line.)
  peer.addr = {"10.0.0.5", 26391};
  peer.id = std::string(40, 'b');
  g.known_sentinels.push_back(peer);
  state.groups = {g};

  SentinelFileConfig file;
  file.lines = lines_of(original);
  file.engine.announce_port = 26400;  // a sentinel-wide option set at run time
  const std::string text = render_sentinel_config(file, state, {group});
  EXPECT_NE(text.find("# my sentinel\n"), std::string::npos);
  EXPECT_NE(text.find("# keep this comment\n"), std::string::npos);
  EXPECT_NE(text.find("sentinel monitor mymaster 127.0.0.1 6380 2\n"), std::string::npos);
  EXPECT_EQ(text.find("gone"), std::string::npos) << "a removed group's lines stayed";

  const SentinelFileConfig back = load_sentinel_config(temp_file(text));
  ASSERT_EQ(back.engine.groups.size(), 1u);
  EXPECT_EQ(back.engine.groups[0].auth_pass, group.auth_pass);
  EXPECT_EQ(back.engine.groups[0].down_after, ms(1000));
  ASSERT_TRUE(back.persisted.has_value());
  EXPECT_EQ(back.persisted->myid, state.myid);
  EXPECT_EQ(back.persisted->current_epoch, 3u);
  ASSERT_EQ(back.persisted->groups.size(), 1u);
  EXPECT_EQ(back.persisted->groups[0].config_epoch, 3u);
  EXPECT_EQ(back.persisted->groups[0].leader_epoch, 3u);
  EXPECT_EQ(back.persisted->groups[0].known_sentinels, g.known_sentinels);
  EXPECT_EQ(back.engine.announce_port, 26400);
  // Rewriting again changes nothing but what Redis's rewrite changes too: the empty line
  // after the file's last newline is kept (at the end now); from then on, nothing.
  const std::string second = render_sentinel_config(back, state, {group});
  EXPECT_EQ(second, text + "\n");
  EXPECT_EQ(render_sentinel_config(load_sentinel_config(temp_file(second)), state, {group}),
            second);
}

TEST(SentinelConfig, AtomicWriteReplacesTheFile) {
  const auto path = temp_file("old\n");
  protocol::write_file_atomically(path, "new\n");
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  EXPECT_EQ(text.str(), "new\n");
}

}  // namespace
}  // namespace sp::sentinel::io

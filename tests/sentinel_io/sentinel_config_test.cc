// sentinel.conf loading and the rewrite that persists the sentinel's state.
#include "sentinel/io/sentinel_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sp::sentinel::io {
namespace {

std::string temp_file(const std::string& text) {
  static int n = 0;
  const std::string path = ::testing::TempDir() + "sentinel-config-test-" + std::to_string(n++);
  std::ofstream(path) << text;
  return path;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
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
  // A second rewrite of the rewritten file changes nothing.
  EXPECT_EQ(back.engine.announce_port, 26400);
  EXPECT_EQ(render_sentinel_config(back, state, {group}), text);
}

TEST(SentinelConfig, AtomicWriteReplacesTheFile) {
  const auto path = temp_file("old\n");
  write_file_atomically(path, "new\n");
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  EXPECT_EQ(text.str(), "new\n");
}

}  // namespace
}  // namespace sp::sentinel::io

#include "sentinel/info_parser.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace sp::sentinel {
namespace {

// Captured from redis-server 7.0.15 with redis-cli INFO (CRLF line ends kept).
std::string load(const std::string& name) {
  std::ifstream in(std::string(SP_SENTINEL_TEST_DATA) + "/" + name, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(InfoParser, RealMasterInfo) {
  std::string text = load("info_master.txt");
  ASSERT_NE(text.find("\r\n"), std::string::npos);
  InfoReport r = parse_info(text);
  EXPECT_EQ(r.role, Role::kMaster);
  EXPECT_EQ(r.run_id.size(), 40u);
  ASSERT_EQ(r.replicas.size(), 1u);
  EXPECT_EQ(r.replicas[0], (Address{"127.0.0.1", 7602}));
  ASSERT_EQ(r.replica_acked_offsets.size(), 1u);
  EXPECT_EQ(r.replica_acked_offsets[0], 1569);
  EXPECT_FALSE(r.master_host.has_value());
  EXPECT_EQ(r.master_link_down_time, ms(0));
  EXPECT_EQ(r.master_repl_offset, 1569);
}

TEST(InfoParser, RealReplicaInfo) {
  InfoReport r = parse_info(load("info_replica.txt"));
  EXPECT_EQ(r.role, Role::kSlave);
  EXPECT_EQ(r.master_host, "127.0.0.1");
  EXPECT_EQ(r.master_port, 7601);
  EXPECT_EQ(r.master_link_up, true);
  EXPECT_EQ(r.slave_priority, 50);
  EXPECT_GT(r.slave_repl_offset.value(), 0);
  EXPECT_EQ(r.replica_announced, true);
  EXPECT_EQ(r.master_link_down_time, ms(0));
  EXPECT_TRUE(r.replicas.empty());
  EXPECT_EQ(r.master_repl_offset, 1569);
}

TEST(InfoParser, RealReplicaMidSync) {
  InfoReport r = parse_info(load("info_replica_midsync.txt"));
  EXPECT_EQ(r.role, Role::kSlave);
  EXPECT_EQ(r.master_link_up, false);
  EXPECT_EQ(r.master_link_down_time, ms(-1000));  // "-1": the link was never up
  EXPECT_EQ(r.slave_priority, 100);
  EXPECT_EQ(r.slave_repl_offset, 1);
}

TEST(InfoParser, OldReplicaLineFormatAndBareLf) {
  InfoReport r = parse_info("role:master\nslave0:10.0.0.2,6380,online\n");
  ASSERT_EQ(r.replicas.size(), 1u);
  EXPECT_EQ(r.replicas[0], (Address{"10.0.0.2", 6380}));
}

TEST(InfoParser, ReplicaFieldsBeforeRoleAreIgnoredAndShortRunIdSkipped) {
  InfoReport r = parse_info("run_id:abc\r\nmaster_host:1.2.3.4\r\nrole:slave\r\n");
  EXPECT_TRUE(r.run_id.empty());
  EXPECT_FALSE(r.master_host.has_value());
}

}  // namespace
}  // namespace sp::sentinel

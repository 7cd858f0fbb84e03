// What follow mode reads from Redis Sentinels, in the shapes redis-sentinel 7.0 sends.

#include "proxy/follow/sentinel_answers.h"

#include <gtest/gtest.h>

#include <string>

namespace sp::proxy {
namespace {

protocol::Value decoded(const std::string& frame) {
  auto v = protocol::decode_value(frame);
  EXPECT_TRUE(v.has_value()) << frame;
  return v.value_or(protocol::Value{});
}

TEST(SentinelAnswers, SplitsHostAndPort) {
  auto a = split_host_port("127.0.0.1:26379");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 26379);
  auto v6 = split_host_port("[::1]:5000");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  for (const char* bad : {"", "host", ":1", "h:", "h:0", "h:65536", "h:1x", "[]:1"}) {
    EXPECT_FALSE(split_host_port(bad)) << bad;
  }
}

TEST(SentinelAnswers, MasterAddrIsTwoBulkStrings) {
  auto a = master_addr_of(decoded("*2\r\n$9\r\n127.0.0.1\r\n$4\r\n6379\r\n"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 6379);
  EXPECT_FALSE(master_addr_of(decoded("*-1\r\n")));  // an unknown name
  EXPECT_FALSE(master_addr_of(decoded("-ERR no such master\r\n")));
  EXPECT_FALSE(master_addr_of(decoded("*2\r\n$9\r\n127.0.0.1\r\n$1\r\nx\r\n")));
}

TEST(SentinelAnswers, FieldsOfSentinelMaster) {
  const auto fields = decoded(
      "*6\r\n$4\r\nname\r\n$8\r\nmymaster\r\n$12\r\nconfig-epoch\r\n$1\r\n7\r\n"
      "$16\r\nfailover-timeout\r\n$5\r\n10000\r\n");
  EXPECT_EQ(field_of(fields, "name"), "mymaster");
  EXPECT_EQ(uint_field_of(fields, "config-epoch"), 7u);
  EXPECT_EQ(uint_field_of(fields, "failover-timeout"), 10000u);
  EXPECT_EQ(uint_field_of(fields, "name"), std::nullopt);
  EXPECT_EQ(field_of(fields, "absent"), std::nullopt);
  EXPECT_EQ(field_of(decoded("-ERR No such master with that name\r\n"), "name"), std::nullopt);
}

TEST(SentinelAnswers, RoleSaysMaster) {
  EXPECT_TRUE(role_is_master(decoded("*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n")));
  EXPECT_FALSE(role_is_master(
      decoded("*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:6379\r\n$9\r\nconnected\r\n:1\r\n")));
  EXPECT_FALSE(role_is_master(decoded("-LOADING\r\n")));
}

TEST(SentinelAnswers, EventsAreMessagesOnEventChannels) {
  auto e =
      event_of(decoded("*3\r\n$7\r\nmessage\r\n$6\r\n+odown\r\n$42\r\nmaster mymaster 127.0.0.1 "
                       "6379 #quorum 2/2\r\n"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, "+odown");
  EXPECT_EQ(e->text, "master mymaster 127.0.0.1 6379 #quorum 2/2");
  EXPECT_FALSE(event_of(decoded("*3\r\n$9\r\nsubscribe\r\n$6\r\n+odown\r\n:1\r\n")));
  EXPECT_FALSE(event_of(decoded("*2\r\n$4\r\npong\r\n$0\r\n\r\n")));
}

TEST(SentinelAnswers, SwitchMasterHasFiveWords) {
  auto s = switch_master_of("mymaster 127.0.0.1 6379 127.0.0.1 6380");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "mymaster");
  EXPECT_EQ(s->from.port, 6379);
  EXPECT_EQ(s->to.host, "127.0.0.1");
  EXPECT_EQ(s->to.port, 6380);
  EXPECT_FALSE(switch_master_of("mymaster 127.0.0.1 6379 127.0.0.1"));
  EXPECT_FALSE(switch_master_of("mymaster 127.0.0.1 6379 127.0.0.1 6380 extra"));
  EXPECT_FALSE(switch_master_of("mymaster 127.0.0.1 x 127.0.0.1 6380"));
}

// Follow mode reads a followed sentinel's master events into typed notices: trailing words
// (+odown's "#quorum") are ignored, other instances' events are not master events.
TEST(SentinelAnswers, MasterEventsOfAFollowedSentinel) {
  const auto odown = master_notice_of({"+odown", "master mymaster 10.0.0.1 6379 #quorum 2/2"});
  EXPECT_EQ(odown,
            sentinel::master_notice(sentinel::NoticeKind::kOdown, "mymaster", {"10.0.0.1", 6379}));
  EXPECT_FALSE(master_notice_of({"+sdown",
                                 "slave 10.0.0.2:6379 10.0.0.2 6379 @ mymaster "
                                 "10.0.0.1 6379"}));
  EXPECT_FALSE(master_notice_of({"+sdown", "master mymaster 10.0.0.1 x"}));
  EXPECT_FALSE(master_notice_of({"+unknown-event", "master mymaster 10.0.0.1 6379"}));
}

TEST(SentinelAnswers, FlagsTellAMasterGoingAway) {
  auto with_flags = [](const std::string& flags) {
    return decoded("*2\r\n$5\r\nflags\r\n$" + std::to_string(flags.size()) + "\r\n" + flags +
                   "\r\n");
  };
  EXPECT_FALSE(master_going_away(with_flags("master")));
  EXPECT_FALSE(master_going_away(with_flags("master,s_down")));
  EXPECT_TRUE(master_going_away(with_flags("master,s_down,o_down")));
  EXPECT_TRUE(master_going_away(with_flags("master,failover_in_progress")));
  EXPECT_FALSE(master_going_away(with_flags("master,o_downish")));
  EXPECT_FALSE(master_going_away(decoded("*0\r\n")));
}

}  // namespace
}  // namespace sp::proxy

// The sentinel port's COMMAND, CLIENT, ACL and INFO surface, checked against a real
// redis-sentinel started beside a sentinel-proxy on the same master: byte for byte where
// the replies are deterministic, as sets where Redis's own order is a hash table's.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "protocol/reply_parser.h"
#include "tests/sentinel_io/sentinel_group.h"
#include "tests/support/redis_process.h"

namespace sp::testing {
namespace {

// The complete frames in `raw`, as bytes.
std::vector<std::string> frames(const std::string& raw) {
  std::vector<std::string> out;
  protocol::ReplyParser parser;
  std::size_t used = 0;
  while (used < raw.size()) {
    const auto r = parser.parse(std::string_view(raw).substr(used));
    if (r.status != protocol::ParseStatus::kComplete) break;
    out.push_back(raw.substr(used, r.consumed));
    used += r.consumed;
  }
  return out;
}

// `value` with the elements of every aggregate sorted: Redis lists commands, and the
// subcommands inside each, in the order of a hash table, which differs between processes.
std::string canonical(const protocol::Value& value) {
  std::vector<std::string> parts;
  for (const auto& e : value.elements) parts.push_back(canonical(e));
  std::sort(parts.begin(), parts.end());
  std::string out = std::to_string(static_cast<int>(value.type)) + ":" + value.text + ":" +
                    std::to_string(value.integer) + "[";
  for (const auto& p : parts) out += p + ",";
  return out + "]";
}

std::string canonical(const std::string& frame) {
  const auto value = protocol::decode_value(frame);
  return value ? canonical(*value) : "undecodable: " + frame;
}

// The next `replies` frames on `c` (fewer if they do not come within 5 s).
std::vector<std::string> read_frames(TestConnection& c, std::size_t replies) {
  std::string raw;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (frames(raw).size() < replies && std::chrono::steady_clock::now() < deadline) {
    raw += c.read_at_least(1, 200ms);
  }
  return frames(raw);
}

// One connection, `commands` sent at once, every reply frame back.
std::vector<std::string> exchange(int port, const std::string& commands, std::size_t replies) {
  TestConnection c(port);
  c.send(commands);
  return read_frames(c, replies);
}

// field:value lines of an INFO text, per section.
std::map<std::string, std::set<std::string>> info_fields(const std::string& text) {
  std::map<std::string, std::set<std::string>> sections;
  std::istringstream in(text);
  std::string line, section;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.starts_with("# ")) {
      section = line.substr(2);
      sections[section];
    } else if (const auto colon = line.find(':'); colon != std::string::npos) {
      sections[section].insert(line.substr(0, colon));
    }
  }
  return sections;
}

class SentinelPortSurface : public ::testing::Test {
 protected:
  void SetUp() override {
    write_sentinel_conf(temp_.path + "/real.conf", real_port_, master_.port());
    write_sentinel_conf(temp_.path + "/ours.conf", ours_port_, master_.port());
    real_ = start_redis_sentinel(temp_.path + "/real.conf", real_port_);
    ours_ = start_sentinel_proxy(temp_.path + "/ours.conf", ours_port_);
  }

  const TempDir temp_;
  RedisProcess master_;
  const int real_port_ = free_loopback_port();
  const int ours_port_ = free_loopback_port();
  std::unique_ptr<ChildProcess> real_, ours_;
};

TEST_F(SentinelPortSurface, CommandClientAndAclRepliesMatchRedisSentinelByteForByte) {
  expect_same_replies(
      real_port_, ours_port_,
      {
          "COMMAND COUNT\r\nCOMMAND INFO ping get auth\r\nCOMMAND INFO client|list\r\n"
          "COMMAND DOCS ping\r\nCOMMAND DOCS client|kill nosuch\r\nCOMMAND foo\r\n"
          "COMMAND HELP\r\nCOMMAND COUNT x\r\nCOMMAND LIST FILTERBY foo x\r\n",
          "COMMAND GETKEYS ping x\r\nCOMMAND GETKEYS get a\r\nCOMMAND GETKEYS ping\r\n"
          "COMMAND GETKEYSANDFLAGS sentinel masters\r\n",
          "CLIENT KILL 1.2.3.4:5\r\nCLIENT KILL id 999\r\nCLIENT KILL type foo\r\n"
          "CLIENT KILL type pubsub\r\nCLIENT KILL skipme maybe\r\nCLIENT LIST type x\r\n"
          "CLIENT LIST foo\r\nCLIENT LIST id x\r\nCLIENT LIST id 0\r\nCLIENT SETNAME \"a b\"\r\n"
          "CLIENT SETNAME ok\r\nCLIENT GETNAME\r\nCLIENT NO-EVICT on\r\nCLIENT HELP\r\n"
          "CLIENT foo\r\nCLIENT GETREDIR\r\nCLIENT UNBLOCK 5\r\nCLIENT UNBLOCK x\r\n"
          "CLIENT UNBLOCK 5 foo\r\nCLIENT CACHING yes\r\nCLIENT TRACKING foo\r\n"
          "CLIENT PAUSE 10 foo\r\nCLIENT PAUSE -1\r\nCLIENT PAUSE x\r\nCLIENT UNPAUSE\r\n"
          "CLIENT REPLY\r\nCLIENT REPLY foo\r\n",
          "CLIENT REPLY SKIP\r\nPING a\r\nPING b\r\nCLIENT REPLY OFF\r\nPING c\r\n"
          "CLIENT REPLY ON\r\nPING d\r\n",
          "ACL WHOAMI\r\nACL USERS\r\nACL LIST\r\nACL CAT\r\nACL CAT foo\r\nACL CAT a b\r\n"
          "ACL GETUSER default\r\nACL GETUSER nobody\r\nACL HELP\r\nACL LOAD\r\nACL SAVE\r\n"
          "ACL GENPASS 0\r\nACL LOG x\r\nACL foo\r\nACL DELUSER default\r\n",
          "ACL SETUSER alice on >pw +ping ~*\r\nACL SETUSER bob\r\n"
          "ACL SETUSER bob +@all -sentinel|masters &chan*\r\nACL LIST\r\nACL GETUSER bob\r\n"
          "ACL SETUSER dave +@bogus\r\nACL SETUSER dave badrule\r\nACL SETUSER z +client|foo\r\n"
          "ACL SETUSER z +sentinel|masters|x\r\nACL SETUSER z <nopw\r\nACL SETUSER z !abc\r\n"
          "ACL SETUSER z resetkeys ~a ~b %R~c +ping|x\r\nACL LIST\r\nACL DRYRUN alice ping\r\n"
          "ACL DRYRUN alice role\r\nACL DRYRUN nobody role\r\nACL DRYRUN alice get\r\n",
          "AUTH alice pw\r\nROLE\r\nSENTINEL MYID\r\nSENTINEL MASTERS\r\nSUBSCRIBE foo\r\n"
          "PSUBSCRIBE c*\r\nPUBLISH x y\r\nACL WHOAMI\r\nAUTH alice bad\r\n"
          "HELLO 3 AUTH alice bad\r\nHELLO 2 AUTH alice pw SETNAME\r\nHELLO 2 FOO\r\n",
          "AUTH bob x\r\nACL SETUSER bob on nopass\r\nAUTH bob x\r\nSENTINEL MASTERS\r\n"
          "SUBSCRIBE chan1 other\r\nSUBSCRIBE chan1\r\n",
          "ACL DELUSER bob nobody z dave\r\nACL LIST\r\n",
      });
  // RESP3: everything after HELLO's own reply (which names our version, not Redis's).
  const std::string resp3 =
      "HELLO 3\r\nCOMMAND INFO ping sentinel|myid\r\nCOMMAND DOCS client|list\r\n"
      "INFO replication\r\nCLIENT TRACKINGINFO\r\nCLIENT TRACKING on bcast\r\n"
      "CLIENT TRACKINGINFO\r\nCLIENT GETNAME\r\n";
  auto real = exchange(real_port_, resp3, 8);
  auto ours = exchange(ours_port_, resp3, 8);
  ASSERT_EQ(real.size(), 8u);
  ASSERT_EQ(ours.size(), 8u);
  for (std::size_t i = 1; i < real.size(); ++i) EXPECT_EQ(ours[i], real[i]) << "reply " << i;
}

// Redis lists its commands in hash-table order, which differs from one process to the
// next: the same elements, in any order.
TEST_F(SentinelPortSurface, CommandTableHasRedisSentinelsCommandsAndDocs) {
  for (const std::string hello : {"", "HELLO 3\r\n"}) {
    const std::size_t skip = hello.empty() ? 0 : 1;
    for (const std::string request :
         {"COMMAND\r\n", "COMMAND LIST\r\n", "COMMAND DOCS\r\n",
          "COMMAND LIST FILTERBY ACLCAT connection\r\n", "COMMAND LIST FILTERBY PATTERN C*\r\n",
          "ACL CAT dangerous\r\n"}) {
      const auto real = exchange(real_port_, hello + request, skip + 1);
      const auto ours = exchange(ours_port_, hello + request, skip + 1);
      ASSERT_EQ(real.size(), skip + 1) << request;
      ASSERT_EQ(ours.size(), skip + 1) << request;
      EXPECT_EQ(canonical(ours[skip]), canonical(real[skip])) << hello << request;
    }
  }
}

TEST_F(SentinelPortSurface, ClientListShowsKillsAndInfoHasRedisSentinelsSections) {
  TestConnection named(ours_port_);
  named.send("CLIENT SETNAME alpha\r\nCLIENT ID\r\n");
  const auto named_frames = read_frames(named, 2);
  ASSERT_EQ(named_frames.size(), 2u);
  const std::string id = named_frames[1].substr(1, named_frames[1].size() - 3);

  const auto list = call_value(ours_port_, {"CLIENT", "LIST"});
  ASSERT_TRUE(list);
  EXPECT_NE(list->text.find("id=" + id + " addr=127.0.0.1:"), std::string::npos) << list->text;
  EXPECT_NE(list->text.find(" name=alpha "), std::string::npos) << list->text;
  EXPECT_NE(list->text.find(" cmd=client|list user=default redir=-1 resp=2\n"), std::string::npos)
      << list->text;
  const auto info = call_value(ours_port_, {"CLIENT", "INFO"});
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->text.starts_with("id=")) << info->text;

  // The same field names, in the same order, as a real Sentinel's line.
  auto names = [](const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    std::string word;
    while (in >> word) out.push_back(word.substr(0, word.find('=')));
    return out;
  };
  const auto real_info = call_value(real_port_, {"CLIENT", "INFO"});
  ASSERT_TRUE(real_info);
  EXPECT_EQ(names(info->text), names(real_info->text));

  const auto killed = call_value(ours_port_, {"CLIENT", "KILL", "ID", id});
  ASSERT_TRUE(killed);
  EXPECT_EQ(killed->integer, 1);
  named.read_until_closed(2s);
  EXPECT_TRUE(named.peer_closed());
  const auto after = call_value(ours_port_, {"CLIENT", "LIST"});
  ASSERT_TRUE(after);
  EXPECT_EQ(after->text.find(" name=alpha "), std::string::npos) << after->text;

  // INFO: the sections a Sentinel has, each field of ours one a Sentinel reports too.
  const auto ours_info = call_value(ours_port_, {"INFO", "everything"});
  const auto real_all = call_value(real_port_, {"INFO", "everything"});
  ASSERT_TRUE(ours_info && real_all);
  const auto ours_sections = info_fields(ours_info->text);
  const auto real_sections = info_fields(real_all->text);
  std::vector<std::string> ours_titles, real_titles;
  for (const auto& [title, fields] : ours_sections) ours_titles.push_back(title);
  for (const auto& [title, fields] : real_sections) real_titles.push_back(title);
  EXPECT_EQ(ours_titles, real_titles);
  for (const auto& [title, fields] : ours_sections) {
    for (const std::string& f : fields) {
      // Our one addition: a failed save is counted rather than fatal (sentinel_trust_test).
      if (f == "sentinel_config_save_failures") continue;
      EXPECT_TRUE(real_sections.at(title).contains(f)) << title << ": " << f;
    }
  }
  for (const std::string f : {"total_connections_received", "total_commands_processed",
                              "total_net_input_bytes", "total_error_replies"}) {
    EXPECT_TRUE(ours_sections.at("Stats").contains(f)) << f;
  }
  const auto stats = call_value(ours_port_, {"INFO", "stats"});
  ASSERT_TRUE(stats);
  // Several connections and commands came before this one.
  EXPECT_EQ(stats->text.find("total_connections_received:0\r\n"), std::string::npos);
  EXPECT_EQ(stats->text.find("total_commands_processed:0\r\n"), std::string::npos);
}

TEST_F(SentinelPortSurface, AclUsersGateCommandsAreLoggedAndSurviveARestart) {
  ours_.reset();
  std::ofstream(temp_.path + "/ours.conf", std::ios::app)
      << "user watcher on >look +ping +sentinel|get-master-addr-by-name\n";
  ours_ = start_sentinel_proxy(temp_.path + "/ours.conf", ours_port_);

  const auto replies = exchange(ours_port_,
                                "AUTH watcher look\r\nSENTINEL get-master-addr-by-name mymaster\r\n"
                                "SENTINEL masters\r\nACL WHOAMI\r\n",
                                4);
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_EQ(replies[0], "+OK\r\n");
  EXPECT_TRUE(replies[1].starts_with("*2\r\n")) << replies[1];
  EXPECT_EQ(replies[2],
            "-NOPERM this user has no permissions to run the 'sentinel|masters' command\r\n");
  const auto log = call_value(ours_port_, {"ACL", "LOG", "1"});
  ASSERT_TRUE(log);
  ASSERT_EQ(log->elements.size(), 1u);
  EXPECT_EQ(field(log->elements[0], "reason"), "command");
  EXPECT_EQ(field(log->elements[0], "object"), "acl|whoami");
  EXPECT_EQ(field(log->elements[0], "username"), "watcher");

  // A user added at run time is written to the file and is there after a restart.
  const auto set = call_value(ours_port_, {"ACL", "SETUSER", "late", "on", ">pw", "+@all"});
  ASSERT_TRUE(set);
  EXPECT_EQ(set->text, "OK");
  ours_.reset();
  ours_ = start_sentinel_proxy(temp_.path + "/ours.conf", ours_port_);
  const auto users = call_value(ours_port_, {"ACL", "USERS"});
  ASSERT_TRUE(users);
  std::vector<std::string> names;
  for (const auto& e : users->elements) names.push_back(e.text);
  EXPECT_EQ(names, (std::vector<std::string>{"default", "late", "watcher"}));
  const auto auth = exchange(ours_port_, "AUTH late pw\r\nSENTINEL myid\r\n", 2);
  ASSERT_EQ(auth.size(), 2u);
  EXPECT_EQ(auth[0], "+OK\r\n");
  EXPECT_TRUE(auth[1].starts_with("$40\r\n")) << auth[1];
}

}  // namespace
}  // namespace sp::testing

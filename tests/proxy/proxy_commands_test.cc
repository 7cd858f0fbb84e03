// The replies of the commands the proxy answers itself, byte for byte where they are
// fixed, and PROXY INFO's fields read back from the workers' counters.

#include "proxy/admin/proxy_commands.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "protocol/command_table.h"
#include "protocol/reply_parser.h"
#include "protocol/value.h"
#include "proxy/server/proxy_context.h"

namespace sp::proxy {
namespace {

class ProxyCommands : public ::testing::Test {
 protected:
  ProxyCommands() : context_(make_config(), 2) {
    topology_.group = "mymaster";
    topology_.master_host = "db.local";
    topology_.master_ip = "127.0.0.1";
    topology_.master_port = 6390;
    topology_.epoch = 7;
  }

  static Config make_config() {
    Config c;
    c.maxclients = 321;
    return c;
  }

  std::string reply(std::vector<std::string_view> args, int resp = 2, bool topology = true,
                    bool connected = true) {
    const SessionView view{topology ? &topology_ : nullptr, connected, resp};
    return proxy_command_reply(args, context_, view);
  }

  // The INFO text inside a PROXY INFO bulk reply.
  std::string info(bool connected = true) {
    const std::string bytes = reply({"PROXY", "INFO"}, 2, true, connected);
    auto value = protocol::decode_value(bytes);
    EXPECT_TRUE(value.has_value());
    EXPECT_EQ(value->type, protocol::RespType::kBulkString);
    return value ? value->text : "";
  }

  ProxyContext context_;
  Topology topology_;
};

TEST_F(ProxyCommands, TopologyResp2IsAFlatArray) {
  EXPECT_EQ(reply({"PROXY", "TOPOLOGY"}),
            "*8\r\n$5\r\ngroup\r\n$8\r\nmymaster\r\n$11\r\nmaster-host\r\n$8\r\ndb.local\r\n"
            "$11\r\nmaster-port\r\n:6390\r\n$5\r\nepoch\r\n:7\r\n");
}

TEST_F(ProxyCommands, TopologyResp3IsAMap) {
  EXPECT_EQ(reply({"proxy", "topology"}, 3),
            "%4\r\n$5\r\ngroup\r\n$8\r\nmymaster\r\n$11\r\nmaster-host\r\n$8\r\ndb.local\r\n"
            "$11\r\nmaster-port\r\n:6390\r\n$5\r\nepoch\r\n:7\r\n");
  EXPECT_EQ(reply({"PROXY", "TOPOLOGY"}, 2, false), "-ERR no topology yet\r\n");
}

TEST_F(ProxyCommands, ArityAndUnknownSubcommands) {
  EXPECT_EQ(reply({"PROXY"}), "-ERR wrong number of arguments for 'proxy' command\r\n");
  EXPECT_EQ(reply({"PROXY", "FROB"}), "-ERR unknown subcommand 'FROB'. Try PROXY HELP.\r\n");
  const std::string long_name(300, 'x');
  EXPECT_EQ(reply({"PROXY", long_name}),
            "-ERR unknown subcommand '" + long_name.substr(0, 128) + "'. Try PROXY HELP.\r\n");
}

TEST_F(ProxyCommands, HelpListsEverySubcommand) {
  const std::string bytes = reply({"PROXY", "HELP"});
  auto value = protocol::decode_value(bytes);
  ASSERT_TRUE(value.has_value());
  ASSERT_EQ(value->type, protocol::RespType::kArray);
  std::string all;
  for (const auto& line : value->elements) {
    EXPECT_EQ(line.type, protocol::RespType::kSimpleString);
    all += line.text + "\n";
  }
  for (const char* sub : {"\nINFO\n", "\nTOPOLOGY\n", "\nFAILOVER HISTORY\n", "\nHELP\n"}) {
    EXPECT_NE(all.find(sub), std::string::npos) << sub;
  }
}

TEST_F(ProxyCommands, InfoReportsTopologyLinkAndSummedCounters) {
  auto& w0 = *context_.worker_stats[0];
  auto& w1 = *context_.worker_stats[1];
  w0.connected_clients.add(2);
  w1.connected_clients.add(3);
  w0.connections_accepted.add(10);
  w1.connections_accepted.add(5);
  w1.connections_rejected.add(4);
  w0.backend_connect_failures.add(1);
  w1.backend_connect_failures.add(2);
  w0.client_bytes_in.add(100);
  w1.client_bytes_out.add(200);
  const auto get = command_slot(protocol::find_command("get"));
  w0.count_command(get, false, std::chrono::microseconds(10));
  w1.count_command(get, true, std::chrono::microseconds(10));
  w1.count_command(get, false, std::chrono::microseconds(10));

  const std::string text = info();
  for (const char* line :
       {"# Proxy\r\n", "io_threads:2\r\n", "# Clients\r\nconnected_clients:5\r\n",
        "maxclients:321\r\n", "total_connections_received:15\r\n", "rejected_connections:4\r\n",
        "# Upstream\r\ngroup:mymaster\r\n", "master_address:db.local:6390\r\n",
        "topology_epoch:7\r\n", "master_link_status:up\r\n", "backend_connect_failures:3\r\n",
        "client_bytes_in:100\r\n", "client_bytes_out:200\r\n", "# Commandstats\r\n",
        "cmdstat_get:calls=3,failed_calls=1\r\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << " not in\n" << text;
  }
  EXPECT_EQ(text.find("cmdstat_set:"), std::string::npos);  // never called: not listed
  EXPECT_NE(info(false).find("master_link_status:down\r\n"), std::string::npos);
}

TEST_F(ProxyCommands, FailoverHistoryListsTheRecorderAndInfoSummarisesIt) {
  EXPECT_EQ(reply({"PROXY", "FAILOVER", "HISTORY"}), "*0\r\n");
  const FailoverStamp now = FailoverStamp::now();
  context_.failovers.on_notice(
      sentinel::master_notice(sentinel::NoticeKind::kSdown, "mymaster", {"127.0.0.1", 6500}), now,
      {});
  const std::string bytes = reply({"proxy", "failover", "history"}, 3);
  EXPECT_TRUE(
      bytes.starts_with("*1\r\n%15\r\n$2\r\nid\r\n:1\r\n$7\r\noutcome\r\n$11\r\nin-progress"))
      << bytes;
  EXPECT_NE(info().find("failovers_total:0\r\nlast_failover_outcome:none\r\n"), std::string::npos);
  context_.failovers.on_notice(
      sentinel::master_notice(sentinel::NoticeKind::kSdownEnded, "mymaster", {"127.0.0.1", 6500}),
      now, {});
  EXPECT_NE(info().find("failovers_total:1\r\nlast_failover_outcome:recovered\r\n"
                        "last_failover_total_ms:0\r\nlast_offset_lost:-1\r\n"),
            std::string::npos)
      << info();
  // Not HISTORY: left to the other FAILOVER forms.
  EXPECT_FALSE(reply({"PROXY", "FAILOVER", "HISTORY", "x"}).starts_with("*"));
}

TEST_F(ProxyCommands, InfoIsABulkStringInBothProtocols) {
  EXPECT_TRUE(reply({"PROXY", "INFO"}, 3).starts_with("$"));
  EXPECT_TRUE(reply({"proxy", "Info"}, 2).starts_with("$"));
}

TEST_F(ProxyCommands, MasterUnreachableNamesGroupAddressAndCause) {
  EXPECT_EQ(master_unreachable_reply(topology_, "Connection refused"),
            "-ERR sentinel-proxy: master of 'mymaster' (db.local:6390) unreachable: "
            "Connection refused\r\n");
}

TEST_F(ProxyCommands, InfoNamesTheModeAndTheFollowedSentinel) {
  EXPECT_NE(info().find("mode:static\r\n"), std::string::npos);
  EXPECT_EQ(info().find("followed_sentinel:"), std::string::npos);
  Config follow = make_config();
  follow.follow_name = "mymaster";
  follow.sentinel_managed = true;
  ProxyContext following(follow, 1);
  following.followed_sentinel = [] { return std::string("10.0.0.1:26379"); };
  auto value = protocol::decode_value(proxy_command_reply(
      std::vector<std::string_view>{"PROXY", "INFO"}, following, SessionView{&topology_, true, 2}));
  ASSERT_TRUE(value.has_value());
  EXPECT_NE(value->text.find("mode:follow\r\nfollowed_sentinel:10.0.0.1:26379\r\n"),
            std::string::npos)
      << value->text;
}

}  // namespace
}  // namespace sp::proxy

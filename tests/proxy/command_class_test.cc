// One lookup per request says what the session needs of a command: every command of the
// table is found in any case, and the few that matter are classified as before.

#include "proxy/session/command_class.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sp::proxy {
namespace {

CommandClass of(std::vector<std::string_view> args) {
  return classify_command(args);
}

TEST(CommandClass, EveryTableCommandIsFoundInAnyCase) {
  for (const protocol::CommandInfo& info : protocol::all_commands()) {
    std::string upper(info.name);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(of({info.name}).info, &info) << info.name;
    EXPECT_EQ(of({upper}).info, &info) << upper;
  }
}

TEST(CommandClass, UnknownNamesAndHostileBytesAreNoCommand) {
  const std::string long_name(100'000, 'g');
  for (std::string_view name :
       {std::string_view(), std::string_view("gett"), std::string_view("ge"),
        std::string_view("get\0", 4), std::string_view("\xff\xfe"), std::string_view(long_name)}) {
    const CommandClass c = of({name});
    EXPECT_EQ(c.info, nullptr) << name.size();
    EXPECT_EQ(c.role, CommandRole::kPlain);
    EXPECT_FALSE(c.tracks_state || c.quit || c.exec || c.identifies);
    EXPECT_TRUE(c.pins);
  }
  EXPECT_EQ(classify_command({}).info, nullptr);
}

TEST(CommandClass, StateCommandsAreTracked) {
  for (std::string_view name :
       {"auth", "HELLO", "select", "Subscribe", "psubscribe", "ssubscribe", "unsubscribe",
        "punsubscribe", "sunsubscribe", "multi", "exec", "discard", "watch", "unwatch", "reset"}) {
    EXPECT_TRUE(of({name}).tracks_state) << name;
  }
  EXPECT_FALSE(of({"GET", "k"}).tracks_state);
  EXPECT_TRUE(of({"client", "SetName", "x"}).tracks_state);
  EXPECT_FALSE(of({"CLIENT", "ID"}).tracks_state);
  EXPECT_FALSE(of({"client"}).tracks_state);
}

TEST(CommandClass, RolesScopesAndFlags) {
  EXPECT_EQ(of({"SUBSCRIBE", "a"}).role, CommandRole::kPubsub);
  EXPECT_EQ(of({"SUBSCRIBE", "a"}).scope, PubsubScope::kChannels);
  EXPECT_EQ(of({"punsubscribe"}).scope, PubsubScope::kPatterns);
  EXPECT_EQ(of({"SSUBSCRIBE", "a"}).scope, PubsubScope::kShards);
  EXPECT_EQ(of({"sync"}).role, CommandRole::kReplication);
  EXPECT_EQ(of({"PSYNC", "?", "-1"}).role, CommandRole::kReplication);
  EXPECT_EQ(of({"monitor"}).role, CommandRole::kPassthrough);
  EXPECT_EQ(of({"client", "reply", "OFF"}).role, CommandRole::kPassthrough);
  EXPECT_EQ(of({"client", "REPLY", "skip"}).role, CommandRole::kPassthrough);
  EXPECT_EQ(of({"client", "reply", "on"}).role, CommandRole::kPlain);
  EXPECT_EQ(of({"hello", "3"}).role, CommandRole::kHello);
  EXPECT_EQ(of({"RESET"}).role, CommandRole::kReset);
  EXPECT_TRUE(of({"Quit"}).quit);
  EXPECT_TRUE(of({"EXEC"}).exec);
  EXPECT_TRUE(of({"auth", "x"}).identifies);
  EXPECT_TRUE(of({"hello"}).identifies);
  EXPECT_FALSE(of({"get", "k"}).identifies);
}

TEST(CommandClass, WritesAndWhereADurabilityWaitMustGoFirst) {
  for (auto args : std::vector<std::vector<std::string_view>>{{"SET", "k", "v"},
                                                              {"incr", "n"},
                                                              {"EXEC"},
                                                              {"eval", "return 1", "0"},
                                                              {"FCALL", "f", "0"},
                                                              {"flushall"},
                                                              {"blpop", "q", "0"},
                                                              {"XADD", "s", "*", "f", "v"}}) {
    EXPECT_TRUE(of(args).writes) << args[0];
  }
  for (auto args : std::vector<std::vector<std::string_view>>{
           {"GET", "k"}, {"publish", "c", "m"}, {"MULTI"}, {"ping"}, {"WAIT", "1", "0"}}) {
    EXPECT_FALSE(of(args).writes) << args[0];
  }
  for (auto args : std::vector<std::vector<std::string_view>>{{"multi"},
                                                              {"QUIT"},
                                                              {"subscribe", "c"},
                                                              {"monitor"},
                                                              {"SYNC"},
                                                              {"client", "reply", "off"},
                                                              {"blpop", "q", "0"},
                                                              {"hello", "3"},
                                                              {"reset"}}) {
    EXPECT_TRUE(of(args).confirm_before) << args[0];
  }
  for (auto args : std::vector<std::vector<std::string_view>>{
           {"SET", "k", "v"}, {"exec"}, {"get", "k"}, {"client", "reply", "on"}}) {
    EXPECT_FALSE(of(args).confirm_before) << args[0];
  }
  // A container's subcommand says; an unknown command (a module's) is taken for a write.
  EXPECT_TRUE(of({"XGROUP", "CREATE", "s", "g", "0"}).writes);
  EXPECT_TRUE(of({"function", "delete", "lib"}).writes);
  EXPECT_FALSE(of({"xinfo", "stream", "s"}).writes);
  EXPECT_TRUE(of({"JSON.SET", "k", "$", "1"}).writes);
  EXPECT_TRUE(of({"JSON.SET", "k", "$", "1"}).confirm_before);
  EXPECT_EQ(of({"xgroup", "create", "s", "g", "0"}).specific->name, "xgroup|create");
  // XREAD and XREADGROUP block only with BLOCK.
  EXPECT_FALSE(of({"XREAD", "STREAMS", "s", "0"}).confirm_before);
  EXPECT_TRUE(of({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}).confirm_before);
  EXPECT_TRUE(of({"Multi"}).opens_transaction);
  for (std::string_view end : {"exec", "DISCARD", "reset"}) {
    EXPECT_TRUE(of({end}).ends_transaction) << end;
  }
  EXPECT_FALSE(of({"watch", "k"}).ends_transaction);
}

// A reply from a replaced master is kept for a command that changes no data; a write's,
// a transaction's or a state command's proves it ran there too late.
TEST(CommandClass, CommandsThatChangeNoData) {
  for (auto args : std::vector<std::vector<std::string_view>>{{"GET", "k"},
                                                              {"mget", "a", "b"},
                                                              {"PING"},
                                                              {"publish", "c", "m"},
                                                              {"xinfo", "stream", "s"},
                                                              {"EVAL_RO", "return 1", "0"},
                                                              {"client", "id"}}) {
    EXPECT_TRUE(of(args).changes_no_data) << args[0];
  }
  for (auto args : std::vector<std::vector<std::string_view>>{{"SET", "k", "v"},
                                                              {"eval", "return 1", "0"},
                                                              {"EXEC"},
                                                              {"multi"},
                                                              {"watch", "k"},
                                                              {"select", "1"},
                                                              {"blpop", "q", "0"},
                                                              {"subscribe", "c"},
                                                              {"config", "set", "x", "y"},
                                                              {"client", "setname", "n"},
                                                              {"client", "reply", "off"},
                                                              {"xgroup", "create", "s", "g", "0"},
                                                              {"JSON.GET", "k"}}) {
    EXPECT_FALSE(of(args).changes_no_data) << args[0] << " " << (args.size() > 1 ? args[1] : "");
  }
}

TEST(CommandClass, CommandsThatBindTheConnectionPinIt) {
  // Every command that changes or reads the connection's state, or parks it.
  for (std::vector<std::string_view> args : std::vector<std::vector<std::string_view>>{
           {"AUTH", "pw"},
           {"hello", "3"},
           {"hello"},
           {"select", "1"},
           {"SELECT", "00"},
           {"multi"},
           {"exec"},
           {"discard"},
           {"watch", "k"},
           {"unwatch"},
           {"reset"},
           {"subscribe", "c"},
           {"PSUBSCRIBE", "p*"},
           {"ssubscribe", "s"},
           {"unsubscribe"},
           {"monitor"},
           {"sync"},
           {"psync", "?", "-1"},
           {"client", "id"},
           {"CLIENT", "SETNAME", "x"},
           {"client", "tracking", "on"},
           {"client", "kill", "id", "7"},
           {"client"},
           {"blpop", "k", "0"},
           {"BZPOPMIN", "k", "1"},
           {"blmove", "a", "b", "left", "right", "0"},
           {"wait", "1", "0"},
           {"xread", "BLOCK", "0", "streams", "s", "$"},
           {"XREADGROUP", "group", "g", "c", "block", "10", "streams", "s", ">"},
           {"readonly"},
           {"readwrite"},
           {"asking"},
           {"script", "KILL"},
           {"FUNCTION", "kill"},
           {"shutdown", "nosave"},
           {"script", "debug", "yes"},
           {"REPLCONF", "ACK", "0"},
           {"waitaof", "1", "0", "0"},  // 7.2's: unknown to the 7.0 table
           {"nosuchcommand"},
       }) {
    EXPECT_TRUE(of(args).pins) << args[0] << " " << (args.size() > 1 ? args[1] : "");
  }
  // Stateless commands share a connection, and so do the connection commands that
  // neither change nor read anything.
  for (std::vector<std::string_view> args : std::vector<std::vector<std::string_view>>{
           {"get", "k"},
           {"SET", "k", "v"},
           {"publish", "c", "m"},
           {"ping"},
           {"echo", "x"},
           {"select", "0"},
           {"xread", "streams", "s", "0"},
           {"xreadgroup", "group", "g", "c", "streams", "s", ">"},
           {"eval", "return 1", "0"},
           {"script", "load", "return 1"},
           {"function", "list"},
           {"info"},
       }) {
    EXPECT_FALSE(of(args).pins) << args[0];
  }
}

}  // namespace
}  // namespace sp::proxy

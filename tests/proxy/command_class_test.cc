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

}  // namespace
}  // namespace sp::proxy

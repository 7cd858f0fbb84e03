#include "protocol/command_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string_view>
#include <vector>

namespace sp::protocol {
namespace {

TEST(CommandTable, HoldsEveryRedis70CommandSorted) {
  const auto commands = all_commands();
  EXPECT_EQ(commands.size(), 240u);  // redis-server 7.0.15's COMMAND COUNT
  EXPECT_TRUE(std::is_sorted(commands.begin(), commands.end(),
                             [](const auto& a, const auto& b) { return a.name < b.name; }));
  for (const CommandInfo& c : commands) {
    EXPECT_TRUE(std::is_sorted(c.subcommands.begin(), c.subcommands.end(),
                               [](const auto& a, const auto& b) { return a.name < b.name; }))
        << c.name;
  }
}

TEST(CommandTable, LooksUpNamesInAnyCase) {
  for (std::string_view name : {"get", "GET", "gEt"}) {
    const CommandInfo* info = find_command(name);
    ASSERT_NE(info, nullptr) << name;
    EXPECT_EQ(info->name, "get");
  }
  EXPECT_EQ(find_command("nosuchcommand"), nullptr);
  EXPECT_EQ(find_command(""), nullptr);
  EXPECT_EQ(find_command("ge"), nullptr);
  EXPECT_EQ(find_command("gett"), nullptr);
}

TEST(CommandTable, CarriesTheFlagsTheProxyRoutesBy) {
  EXPECT_TRUE(find_command("set")->flags.write);
  EXPECT_TRUE(find_command("get")->flags.readonly);
  EXPECT_FALSE(find_command("get")->flags.write);
  for (auto name : {"blpop", "blmove", "bzpopmin", "xread", "wait"}) {
    EXPECT_TRUE(find_command(name)->flags.blocking) << name;
  }
  for (auto name : {"subscribe", "psubscribe", "ssubscribe", "publish"}) {
    EXPECT_TRUE(find_command(name)->flags.pubsub) << name;
  }
  for (auto name : {"multi", "exec", "discard", "watch", "unwatch"}) {
    EXPECT_TRUE(find_command(name)->flags.transaction) << name;
  }
  for (auto name : {"select", "auth", "hello", "reset", "wait"}) {
    EXPECT_TRUE(find_command(name)->flags.connection) << name;
  }
  EXPECT_TRUE(find_command("flushall")->flags.write);
  EXPECT_TRUE(find_command("eval")->flags.noscript);
  EXPECT_TRUE(find_command("incr")->flags.denyoom);
  // A container's flags live on its subcommands.
  const std::vector<std::string_view> setname = {"CLIENT", "SETNAME", "n"};
  EXPECT_TRUE(find_command(setname)->flags.connection);
}

TEST(CommandTable, ResolvesSubcommandsOfContainerCommands) {
  const std::vector<std::string_view> config_get = {"CONFIG", "get", "maxmemory"};
  const CommandInfo* info = find_command(config_get);
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->name, "config|get");
  EXPECT_EQ(info->arity, -3);

  const std::vector<std::string_view> setname = {"client", "SETNAME", "x"};
  EXPECT_EQ(find_command(setname)->name, "client|setname");

  const std::vector<std::string_view> unknown_sub = {"client", "nosuch"};
  EXPECT_EQ(find_command(unknown_sub)->name, "client");
  const std::vector<std::string_view> bare = {"client"};
  EXPECT_EQ(find_command(bare)->name, "client");
}

TEST(CommandTable, KnowsArityAndKeys) {
  const CommandInfo* set = find_command("set");
  EXPECT_EQ(set->arity, -3);
  EXPECT_EQ(set->first_key, 1);
  EXPECT_TRUE(set->arity_ok(3));
  EXPECT_FALSE(set->arity_ok(2));
  EXPECT_TRUE(find_command("get")->arity_ok(2));
  EXPECT_FALSE(find_command("get")->arity_ok(3));
  EXPECT_EQ(find_command("mset")->key_step, 2);
}

TEST(CommandTable, ComparesNamesCaseInsensitively) {
  EXPECT_TRUE(iequals("MULTI", "multi"));
  EXPECT_FALSE(iequals("MULTI", "multi "));
  EXPECT_FALSE(iequals("a", "b"));
}

}  // namespace
}  // namespace sp::protocol

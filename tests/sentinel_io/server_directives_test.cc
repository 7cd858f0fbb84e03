// The redis-server directives a sentinel.conf may carry, accepted or refused with Redis's
// own words (each text below is what redis-sentinel 7.0.15 prints for the same line; the
// side-by-side check over all of redis.conf is sentinel_directives_compat_test).
#include "sentinel/io/config/server_directives.h"

#include <gtest/gtest.h>

#include "protocol/inline_args.h"

namespace sp::sentinel::io {
namespace {

std::string check(const std::string& line) {
  std::vector<std::string> args;
  EXPECT_TRUE(protocol::split_inline_args(line, args)) << line;
  return check_server_directive(args);
}

TEST(ServerDirectives, AcceptsEveryKindOfDirective) {
  for (const char* line : {"repl-diskless-sync-delay 5",
                           "enable-protected-configs yes",
                           "enable-debug-command local",
                           "maxmemory 1gb",
                           "maxmemory-clients 10%",
                           "save 900 1 300 10",
                           "save \"\"",
                           "save",
                           "client-output-buffer-limit replica 256mb 64mb 60",
                           "slaveof 127.0.0.1 6379",
                           "unixsocketperm 700",
                           "shutdown-on-sigint save now",
                           "list-max-ziplist-entries 5",
                           "include /etc/redis/other.conf",
                           "rename-command CONFIG \"\"",
                           "loadmodule /x.so a b",
                           "mymodule.option 1",
                           "DAEMONIZE No",
                           "notify-keyspace-events Ex",
                           "latency-tracking-info-percentiles 50 99 99.9",
                           "bind 127.0.0.1 -::1"}) {
    EXPECT_EQ(check(line), "") << line;
  }
}

TEST(ServerDirectives, RefusesWithRedisWords) {
  EXPECT_EQ(check("repl-diskless-sync-delay x"), "argument couldn't be parsed into an integer");
  EXPECT_EQ(check("enable-debug-command maybe"),
            "argument(s) must be one of the following: no, yes, local");
  EXPECT_EQ(check("foo bar"), "Bad directive or wrong number of arguments");
  EXPECT_EQ(check("daemonize"), "wrong number of arguments");
  EXPECT_EQ(check("daemonize yes yes"), "wrong number of arguments");
  EXPECT_EQ(check("save 900"), "Invalid save parameters");
  EXPECT_EQ(check("maxmemory 1zz"), "argument must be a memory value");
  EXPECT_EQ(check("shutdown-on-sigint"),
            "argument(s) must be one of the following: default, save, nosave, now, force");
  EXPECT_EQ(check("socket-mark-id -1"), "argument must be between 0 and 4294967295 inclusive");
  EXPECT_EQ(check("maxclients 0"), "argument must be between 1 and 4294967295 inclusive");
  EXPECT_EQ(check("unixsocketperm 999"), "argument couldn't be parsed as an octal number");
  EXPECT_EQ(check("replica-ignore-disk-write-errors x"), "argument must be 'yes' or 'no'");
  EXPECT_EQ(check("port 70000"), "argument must be between 0 and 65535 inclusive");
  EXPECT_EQ(check("hz 05"), "argument couldn't be parsed into an integer");
}

}  // namespace
}  // namespace sp::sentinel::io

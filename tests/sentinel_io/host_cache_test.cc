// The shell's name resolution: bounded lookups and the cache the engine reads.
#include <gtest/gtest.h>

#include <chrono>

#include "sentinel/hostnames.h"
#include "sentinel/io/shell/host_cache.h"

namespace sp::sentinel::io {
namespace {

using namespace std::chrono_literals;

TEST(HostCache, ResolvesLocalhostAndLiteralsAsAnetResolveDoes) {
  const std::string ip = resolve_host_bounded("localhost", 2s);
  EXPECT_TRUE(ip == "127.0.0.1" || ip == "::1") << ip;
  EXPECT_EQ(resolve_host_bounded("127.0.0.1", 2s), "127.0.0.1");
  EXPECT_EQ(resolve_host_bounded("no-such-host.invalid", 2s), "");
}

TEST(HostCache, AnswersFromWhatItWasToldWithoutALookup) {
  HostCache cache;
  cache.remember("db-master", "10.0.0.1");
  EXPECT_EQ(cache.lookup("db-master"), "10.0.0.1");
  // A newer answer (a re-resolution before a reconnect) replaces the old one.
  cache.remember("db-master", "10.0.0.7");
  EXPECT_EQ(cache.lookup("db-master"), "10.0.0.7");
}

TEST(HostCache, RemembersAFailureAndStaysWithinItsBound) {
  HostCache cache(200ms);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(cache.lookup("no-such-host.invalid"), "");
  EXPECT_EQ(cache.lookup("no-such-host.invalid"), "");  // from the cache
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_TRUE(is_ip_literal(cache.lookup("localhost")));
}

}  // namespace
}  // namespace sp::sentinel::io

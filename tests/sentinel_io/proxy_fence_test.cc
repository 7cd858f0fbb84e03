// fence-on-minority: a proxy whose sentinel cannot reach a majority of its group's
// sentinels refuses writes (reads still served) until it can again. Three sentinel-proxy
// processes in proxy mode; two of them are stopped (SIGSTOP), which from the third looks
// exactly like being cut off on the minority side of a partition.
#include <signal.h>

#include <gtest/gtest.h>
#include <string>
#include <vector>

#include "tests/sentinel_io/redis_group.h"
#include "tests/sentinel_io/sentinel_group.h"
#include "tests/support/processes.h"
#include "tests/support/redis_process.h"

namespace sp::testing {
namespace {

std::string info_line(int client_port, const std::string& name) {
  const auto info = call_value(client_port, {"PROXY", "INFO"});
  return info ? info_field(info->text, name) : "";
}

TEST(ProxyFence, AProxyCutOffFromTheMajorityRefusesWritesAndServesReads) {
  RedisGroup g({false, false, false}, /*start_sentinels=*/false);
  const std::vector<int> client_ports = g.start_proxies("fence-on-minority yes\n");
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 20s));
  const int proxy = client_ports[0];
  ASSERT_EQ(call(proxy, {"SET", "fenced", "before"}), "+OK\r\n");
  EXPECT_EQ(info_line(proxy, "writes_fenced"), "0");

  g.sentinels[1]->signal(SIGSTOP);
  g.sentinels[2]->signal(SIGSTOP);
  // Their SDOWN comes after down-after-milliseconds (1000): then writes are refused.
  ASSERT_TRUE(wait_until([&] { return info_line(proxy, "writes_fenced") == "1"; }, 10s));
  const std::string refused = call(proxy, {"SET", "fenced", "during"});
  EXPECT_TRUE(refused.starts_with("-MASTERDOWN sentinel-proxy: writes to 'mymaster' are refused"))
      << refused;
  EXPECT_EQ(call(proxy, {"GET", "fenced"}), "$6\r\nbefore\r\n");
  // A transaction is discarded whole, as Redis discards one with a refused command:
  // pipelined, the write is refused before MULTI is answered; sent after MULTI's +OK, it
  // is queued and EXEC is refused.
  TestConnection pipelined(proxy);
  pipelined.send("MULTI\r\nSET fenced tx\r\nEXEC\r\nGET fenced\r\n");
  EXPECT_EQ(pipelined.read_until_suffix("$6\r\nbefore\r\n", 5s),
            "+OK\r\n" + refused +
                "-EXECABORT Transaction discarded because of previous errors.\r\n"
                "$6\r\nbefore\r\n");
  TestConnection stepwise(proxy);
  stepwise.send("MULTI\r\n");
  EXPECT_EQ(stepwise.read_until_suffix("\r\n", 5s), "+OK\r\n");
  stepwise.send("SET fenced tx\r\n");
  EXPECT_EQ(stepwise.read_until_suffix("\r\n", 5s), "+QUEUED\r\n");
  stepwise.send("EXEC\r\n");
  EXPECT_EQ(stepwise.read_until_suffix("\r\n", 5s),
            "-EXECABORT Transaction discarded because of previous errors.\r\n");
  // The master itself never saw the refused writes.
  EXPECT_EQ(call(g.master_port, {"GET", "fenced"}), "$6\r\nbefore\r\n");

  g.sentinels[1]->signal(SIGCONT);
  g.sentinels[2]->signal(SIGCONT);
  ASSERT_TRUE(wait_until([&] { return info_line(proxy, "writes_fenced") == "0"; }, 10s));
  EXPECT_EQ(call(proxy, {"SET", "fenced", "after"}), "+OK\r\n");
  EXPECT_NE(info_line(proxy, "writes_refused_fenced"), "0");
}

}  // namespace
}  // namespace sp::testing

// Notification and client-reconfig scripts run by sentinel-proxy in drop-in sentinel mode,
// next to a real redis-sentinel doing the same: the same arguments, the same PENDING-SCRIPTS
// and INFO figures, the same SENTINEL SET refusals.
#include <sys/stat.h>

#include <gtest/gtest.h>
#include <fstream>
#include <sstream>

#include "tests/sentinel_io/redis_group.h"
#include "tests/sentinel_io/sentinel_group.h"
#include "tests/support/redis_process.h"

namespace sp::testing {
namespace {

bool has_line(const std::string& path, const std::string& line) {
  const auto lines = lines_of(path);
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

struct Sentinel {
  explicit Sentinel(bool is_real) : real(is_real) {}
  bool real;
  int port = free_loopback_port();
  std::string log;  // what its notification script received, one line per run
};

std::string name_of(const Sentinel& s) {
  return s.real ? "redis-sentinel" : "sentinel-proxy";
}

// One redis-sentinel and one sentinel-proxy watch the same master with the same
// notification script, which records its arguments and, for a +set, hangs so that the run
// can be seen in PENDING-SCRIPTS and then killed for its runtime.
TEST(SentinelScripts, NotificationScriptRunsAsRedisSentinelRunsIt) {
  RedisGroup g({}, /*start_sentinels=*/false);
  const std::string script = write_script(g.dir + "/notify.sh",
                                          "echo \"$@\" >> \"$0.$PPID.log\"\n"
                                          "if [ \"$1\" = +set ]; then exec sleep 60; fi");
  std::vector<Sentinel> sentinels = {Sentinel(true), Sentinel(false)};
  for (Sentinel& s : sentinels) {
    const std::string conf = g.conf(s.port);
    write_sentinel_conf(conf, s.port, g.master_port);
    std::ofstream(conf, std::ios::app)
        << "sentinel notification-script mymaster " << script << "\n";
    g.sentinels.push_back(s.real ? start_redis_sentinel(conf, s.port)
                                 : start_sentinel_proxy(conf, s.port));
    s.log = script + "." + std::to_string(g.sentinels.back()->pid()) + ".log";
  }
  const std::string master = "master mymaster 127.0.0.1 " + std::to_string(g.master_port);
  std::vector<std::string> pending_shapes;
  for (const Sentinel& s : sentinels) {
    SCOPED_TRACE(name_of(s));
    EXPECT_TRUE(
        wait_until([&] { return has_line(s.log, "+monitor " + master + " quorum 2"); }, 10s))
        << "no +monitor run";
    EXPECT_EQ(call(s.port, {"SENTINEL", "SET", "mymaster", "quorum", "1"}), "+OK\r\n");
    ASSERT_TRUE(wait_until([&] { return has_line(s.log, "+set " + master + " quorum 1"); }, 10s))
        << "no +set run";

    // The +set run waits: one running job, numbers as bulk strings.
    const auto pending = call_value(s.port, {"SENTINEL", "PENDING-SCRIPTS"});
    ASSERT_TRUE(pending.has_value());
    ASSERT_EQ(pending->elements.size(), 1u);
    const protocol::Value& job = pending->elements[0];
    ASSERT_EQ(job.elements.size(), 10u);
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < job.elements.size(); i += 2) keys.push_back(job.elements[i].text);
    EXPECT_EQ(keys, (std::vector<std::string>{"argv", "flags", "pid", "run-time", "retry-num"}));
    ASSERT_EQ(job.elements[1].elements.size(), 3u);
    EXPECT_EQ(job.elements[1].elements[0].text, script);
    EXPECT_EQ(job.elements[1].elements[1].text, "+set");
    EXPECT_EQ(job.elements[1].elements[2].text, master + " quorum 1");
    EXPECT_EQ(job.elements[3].text, "running");
    EXPECT_EQ(job.elements[5].type, protocol::RespType::kBulkString);
    EXPECT_GT(std::stol(job.elements[5].text), 0);
    EXPECT_EQ(job.elements[7].type, protocol::RespType::kBulkString);
    EXPECT_GE(std::stol(job.elements[7].text), 0);
    EXPECT_EQ(job.elements[9].text, "1");
    const std::string info = call(s.port, {"INFO", "sentinel"});
    EXPECT_EQ(info_field(info, "sentinel_running_scripts"), "1");
    EXPECT_EQ(info_field(info, "sentinel_scripts_queue_length"), "1");

    const auto fields = call_value(s.port, {"SENTINEL", "MASTER", "mymaster"});
    ASSERT_TRUE(fields.has_value());
    EXPECT_EQ(field(*fields, "notification-script"), script);
    EXPECT_EQ(fields->elements[fields->elements.size() - 2].text, "notification-script");
  }
  // deny-scripts-reconfig is yes by default: the same refusal from both.
  EXPECT_EQ(
      call(sentinels[1].port, {"SENTINEL", "SET", "mymaster", "notification-script", script}),
      call(sentinels[0].port, {"SENTINEL", "SET", "mymaster", "notification-script", script}));

  // Over SCRIPT-MAX-RUNTIME the run is killed, published, and scheduled again (it died by
  // a signal) after SCRIPT-RETRY-DELAY.
  for (const Sentinel& s : sentinels) {
    SCOPED_TRACE(name_of(s));
    const auto running = call_value(s.port, {"SENTINEL", "PENDING-SCRIPTS"});
    ASSERT_TRUE(running.has_value() && running->elements.size() == 1u);
    const std::string pid = running->elements[0].elements[5].text;
    TestConnection sub(s.port);
    sub.send("SUBSCRIBE -script-timeout\r\n");
    ASSERT_NE(sub.read_until_suffix(":1\r\n", 2s).find("-script-timeout"), std::string::npos);
    EXPECT_EQ(call(s.port, {"SENTINEL", "DEBUG", "script-max-runtime", "300", "script-retry-delay",
                            "60000"}),
              "+OK\r\n");
    EXPECT_NE(sub.read_until_suffix(" " + pid + "\r\n", 10s).find(script + " " + pid + "\r\n"),
              std::string::npos)
        << "no -script-timeout for pid " << pid;
    std::optional<protocol::Value> scheduled;
    ASSERT_TRUE(wait_until(
        [&] {
          scheduled = call_value(s.port, {"SENTINEL", "PENDING-SCRIPTS"});
          return scheduled && scheduled->elements.size() == 1u &&
                 scheduled->elements[0].elements.size() == 10u &&
                 scheduled->elements[0].elements[3].text == "scheduled";
        },
        10s));
    const protocol::Value& job = scheduled->elements[0];
    EXPECT_EQ(job.elements[5].text, "0");
    EXPECT_EQ(job.elements[6].text, "run-delay");
    EXPECT_GT(std::stol(job.elements[7].text), 50000);
    EXPECT_LE(std::stol(job.elements[7].text), 60000);
    EXPECT_EQ(job.elements[9].text, "1");
    const std::string info = call(s.port, {"INFO", "sentinel"});
    EXPECT_EQ(info_field(info, "sentinel_running_scripts"), "0");
    EXPECT_EQ(info_field(info, "sentinel_scripts_queue_length"), "1");
  }
  // Both ran the script with the same arguments.
  EXPECT_EQ(lines_of(sentinels[1].log), lines_of(sentinels[0].log));
}

// SENTINEL FAILOVER on a sentinel-proxy: it runs the client-reconfig script as the leader;
// another sentinel-proxy and a redis-sentinel that learn the switch from its hellos run
// theirs as observers, with the same arguments.
TEST(SentinelScripts, ClientReconfigScriptRunsAtAFailoverAsLeaderAndObserver) {
  RedisGroup g({}, /*start_sentinels=*/false);
  const std::string script =
      write_script(g.dir + "/reconfig.sh", "echo \"$@\" >> \"$0.$PPID.log\"");
  std::vector<Sentinel> sentinels = {Sentinel(false), Sentinel(false), Sentinel(true)};
  for (Sentinel& s : sentinels) {
    const std::string conf = g.conf(s.port);
    write_sentinel_conf(conf, s.port, g.master_port);
    std::ofstream(conf, std::ios::app)
        << "sentinel client-reconfig-script mymaster " << script << "\n";
    g.sentinels.push_back(s.real ? start_redis_sentinel(conf, s.port)
                                 : start_sentinel_proxy(conf, s.port));
    s.log = script + "." + std::to_string(g.sentinels.back()->pid()) + ".log";
    g.sentinel_ports[&s - sentinels.data()] = s.port;
  }
  ASSERT_TRUE(wait_until([&] { return g.all_discovered(); }, 30s))
      << "the sentinels did not discover each other and both replicas";
  EXPECT_EQ(failover_when_possible(sentinels[0].port, {"SENTINEL", "FAILOVER", "mymaster"}),
            "+OK\r\n");
  std::string promoted;
  ASSERT_TRUE(wait_until(
      [&] {
        promoted = g.agreed_master_other_than("127.0.0.1:" + std::to_string(g.master_port));
        return !promoted.empty();
      },
      30s))
      << "the sentinels did not agree on a new master";
  const std::string from_to = "start 127.0.0.1 " + std::to_string(g.master_port) + " 127.0.0.1 " +
                              promoted.substr(promoted.find(':') + 1);
  EXPECT_TRUE(wait_until([&] { return !lines_of(sentinels[2].log).empty(); }, 10s));
  EXPECT_TRUE(wait_until([&] { return !lines_of(sentinels[1].log).empty(); }, 10s));
  EXPECT_EQ(lines_of(sentinels[0].log), std::vector<std::string>{"mymaster leader " + from_to});
  EXPECT_EQ(lines_of(sentinels[1].log), std::vector<std::string>{"mymaster observer " + from_to});
  EXPECT_EQ(lines_of(sentinels[2].log), std::vector<std::string>{"mymaster observer " + from_to});
}

}  // namespace
}  // namespace sp::testing

// Sentinel applies its `sentinel ...` lines in three passes (the options that must come
// before the monitors, the monitors, then the per-master ones), so a file loads the same
// whatever the order of its lines. Checked over a seeded sample of permutations of a
// realistic file.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>

#include "sentinel/io/config/sentinel_config.h"
#include "tests/support/processes.h"

namespace sp::sentinel::io {
namespace {

const std::vector<std::string> kLines = {
    "port 26390",
    "sentinel myid 0123456789012345678901234567890123456789",
    "sentinel current-epoch 5",
    "sentinel deny-scripts-reconfig no",
    "sentinel resolve-hostnames no",
    "sentinel announce-ip 10.1.2.3",
    "sentinel announce-port 26400",
    "sentinel sentinel-user peer",
    "sentinel sentinel-pass \"peer secret\"",
    "sentinel monitor mymaster 127.0.0.1 6379 2",
    "sentinel down-after-milliseconds mymaster 1000",
    "sentinel failover-timeout mymaster 5000",
    "sentinel parallel-syncs mymaster 3",
    "sentinel auth-pass mymaster secret",
    "sentinel auth-user mymaster app",
    "sentinel master-reboot-down-after-period mymaster 2000",
    "sentinel rename-command mymaster CONFIG my-config",
    "sentinel config-epoch mymaster 3",
    "sentinel leader-epoch mymaster 4",
    "sentinel known-replica mymaster 127.0.0.1 6380",
    "sentinel known-sentinel mymaster 127.0.0.1 26380 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "sentinel monitor other 127.0.0.1 7000 1",
    "sentinel down-after-milliseconds other 2000",
    "sentinel known-replica other 127.0.0.1 7001",
    "repl-diskless-sync-delay 5",
};

// The state a file loaded to, independent of line order: the rewrite of it with the
// groups sorted by name and no operator lines, and the options the rewrite leaves out.
std::string state_of(SentinelFileConfig config) {
  auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
  std::sort(config.engine.groups.begin(), config.engine.groups.end(), by_name);
  PersistedState state = config.persisted.value_or(PersistedState{});
  std::sort(state.groups.begin(), state.groups.end(), by_name);
  config.lines.clear();
  return render_sentinel_config(config, state, config.engine.groups) + "deny-scripts-reconfig " +
         (config.deny_scripts_reconfig ? "yes" : "no") + "\n" + "port " +
         std::to_string(config.engine.port) + "\n";
}

SentinelFileConfig load_lines(const std::vector<std::string>& lines) {
  const std::string path = sp::testing::process_temp_dir() + "/sentinel-order-test.conf";
  std::ofstream out(path);
  for (const std::string& line : lines) out << line << "\n";
  out.close();
  return load_sentinel_config(path);
}

TEST(SentinelConfigOrder, EveryPermutationLoadsToTheSameState) {
  const std::string expected = state_of(load_lines(kLines));
  ASSERT_NE(expected.find("sentinel known-replica other 127.0.0.1 7001"), std::string::npos)
      << expected;
  ASSERT_NE(expected.find("sentinel rename-command mymaster CONFIG my-config"), std::string::npos)
      << expected;
  std::mt19937 rng(12);
  std::vector<std::string> lines = kLines;
  int loaded = 0;
  for (int i = 0; i < 3000; ++i) {
    std::shuffle(lines.begin(), lines.end(), rng);
    SentinelFileConfig config;
    try {
      config = load_lines(lines);
    } catch (const SentinelConfigError& e) {
      ADD_FAILURE() << "permutation " << i << " refused: " << e.what();
      break;
    }
    ASSERT_EQ(state_of(config), expected) << "permutation " << i;
    ++loaded;
  }
  EXPECT_EQ(loaded, 3000);
}

// The reverse of the usual order, the case that used to be refused: every per-master
// option before its monitor line, the monitor lines last.
TEST(SentinelConfigOrder, PerMasterOptionsBeforeTheirMonitorLine) {
  std::vector<std::string> reversed(kLines.rbegin(), kLines.rend());
  EXPECT_EQ(state_of(load_lines(reversed)), state_of(load_lines(kLines)));
}

// Errors still name the line that was refused, wherever its pass applied it.
TEST(SentinelConfigOrder, ARefusedLineIsNamedWhereItStands) {
  try {
    load_lines({"sentinel down-after-milliseconds nosuch 100",
                "sentinel monitor mymaster 127.0.0.1 6379 2"});
    FAIL() << "a master that no line monitors was accepted";
  } catch (const SentinelConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(".conf:1: No such master with specified name. (>>> "
                        "'sentinel down-after-milliseconds nosuch 100')"),
              std::string::npos)
        << what;
  }
}

}  // namespace
}  // namespace sp::sentinel::io

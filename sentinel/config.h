#pragma once

#include <map>
#include <string>
#include <vector>

#include "sentinel/address.h"
#include "sentinel/clock.h"
#include "sentinel/hostnames.h"

namespace sp::sentinel {

// Sentinel's timing constants (the SENTINEL DEBUG keys), with 7.0's defaults.
// Tests and the simulation may shrink them; production keeps the defaults.
struct Timings {
  Duration info_period = ms(10000);
  Duration ping_period = ms(1000);
  Duration ask_period = ms(1000);
  // While our master is SDOWN and a peer last said it is not, it is asked again this
  // soon rather than after ask_period: peers see the master go down up to a ping period
  // apart, and a quorum found 100 ms after it exists instead of a second after is most
  // of what separates a failover from a long one. The question is the same.
  Duration unconfirmed_ask_period = ms(100);
  // INFO period for the replicas a failover of ours waits on (see engine_link.cc).
  Duration awaited_info_period = ms(100);
  Duration publish_period = ms(2000);
  Duration tilt_trigger = ms(2000);
  Duration tilt_period = ms(30000);
  Duration slave_reconf_timeout = ms(10000);
  Duration min_link_reconnect_period = ms(15000);
  Duration election_timeout = ms(10000);
  // The user scripts' limits: the engine ignores them, the shell's script runner reads
  // them (SCRIPT-MAX-RUNTIME kills a script, SCRIPT-RETRY-DELAY spaces its retries).
  Duration script_max_runtime = ms(60000);
  Duration script_retry_delay = ms(30000);
  // SENTINEL DEBUG DEFAULT-DOWN-AFTER / DEFAULT-FAILOVER-TIMEOUT: what a group monitored
  // from then on starts with, and the value the rewrite leaves unwritten.
  Duration default_down_after = ms(30000);
  Duration default_failover_timeout = ms(180000);
};

inline constexpr Duration kDefaultDownAfter = Timings{}.default_down_after;
inline constexpr Duration kDefaultFailoverTimeout = Timings{}.default_failover_timeout;
inline constexpr int kDefaultParallelSyncs = 1;
inline constexpr int kDefaultSlavePriority = 100;
inline constexpr int kMaxPendingCommands = 100;

// One monitored group, with the names and defaults of sentinel.conf directives.
struct GroupConfig {
  std::string name;                                     // sentinel monitor <name>
  Address address;                                      // ... <ip> <port>
  int quorum = 2;                                       // ... <quorum>
  Duration down_after = kDefaultDownAfter;              // down-after-milliseconds
  Duration failover_timeout = kDefaultFailoverTimeout;  // failover-timeout
  int parallel_syncs = kDefaultParallelSyncs;           // parallel-syncs
  std::string auth_user;                                // auth-user
  std::string auth_pass;                                // auth-pass
  Duration master_reboot_down_after_period = ms(0);     // master-reboot-down-after-period
  std::map<std::string, std::string> rename_commands;   // rename-command <cmd> <renamed>
  std::string notification_script;                      // notification-script; "" = none
  std::string client_reconfig_script;                   // client-reconfig-script; "" = none
};

struct EngineConfig {
  std::string myid;          // 40 hex chars; empty = generate one from the RNG and persist it
  std::string announce_ip;   // empty = the shell fills in the local address per connection
  int announce_port = 0;     // 0 = use `port`
  int port = 26379;          // our sentinel port
  HostnamePolicy hostnames;  // resolve-hostnames / announce-hostnames
  std::vector<GroupConfig> groups;
  Timings timings;
};

}  // namespace sp::sentinel

#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "sentinel/address.h"
#include "sentinel/clock.h"
#include "sentinel/config.h"

namespace sp::sentinel {

enum class InstanceKind { kMaster, kReplica, kSentinel };
std::string_view to_string(InstanceKind kind);  // "master" | "slave" | "sentinel"

enum class Role { kUnknown, kMaster, kSlave };
std::string_view to_string(Role role);

// Failover states; to_string gives the names SENTINEL MASTER shows.
enum class FailoverState {
  kNone,
  kWaitStart,
  kSelectSlave,
  kSendSlaveofNoone,
  kWaitPromotion,
  kReconfSlaves,
  kUpdateConfig,
};
std::string_view to_string(FailoverState state);

// Where a replica is in the reconfiguration of our failover (SRI_RECONF_*).
enum class ReconfState { kNone, kSent, kInprog, kDone };
std::string_view to_string(ReconfState state);

// The link to one instance (command connection; the pub/sub connection is the
// shell's business and folded into `connected`). Mirrors instanceLink.
struct Link {
  bool connected = false;
  int pending_commands = 0;
  TimePoint connected_since = kNever;  // cc_conn_time
  TimePoint last_reconnect = kNever;   // last_reconn_time
  TimePoint act_ping_time = kNever;    // oldest unanswered PING, kNever when answered
  TimePoint last_ping_time = kNever;
  TimePoint last_pong_time = kNever;   // any reply to PING
  TimePoint last_avail_time = kNever;  // acceptable reply to PING
  // An acceptable reply to PING came on this link since it was (re)opened: the attempt to
  // open it marks it connected before anything is known.
  bool answered_since_open = false;
  // A peer sentinel that had answered before answered again after a gap (a reopened link,
  // or more than half of down-after without an answer): kNever otherwise.
  TimePoint back_in_reach_at = kNever;
};

// A master, replica or peer sentinel and what we observed of it. Flags of
// sentinelRedisInstance are separate bools (s_down, o_down, ...).
struct Instance {
  InstanceKind kind = InstanceKind::kMaster;
  std::string name;  // group name, "ip:port" for replicas, the myid for sentinels
  Address addr;
  std::string run_id;  // INFO run_id for masters/replicas, myid for sentinels
  Link link;

  bool s_down = false;
  bool o_down = false;
  bool master_down = false;  // a peer's last answer said "down" (SRI_MASTER_DOWN)
  bool promoted = false;     // the replica our failover selected
  bool master_reboot = false;
  bool script_kill_sent = false;
  ReconfState reconf = ReconfState::kNone;

  TimePoint s_down_since = kNever;
  TimePoint o_down_since = kNever;
  TimePoint info_refresh = kNever;
  TimePoint reboot_time = kNever;
  TimePoint last_pub_time = kNever;
  TimePoint last_hello_time = kNever;
  TimePoint last_master_down_reply_time = kNever;
  TimePoint reconf_sent_time = kNever;
  // It gave an acceptable PING reply since we learned it (or came from the persisted
  // state). A sentinel only named by a hello may not exist at all.
  bool answered = false;

  // Role as reported by INFO.
  Role role_reported = Role::kUnknown;
  TimePoint role_reported_time = kNever;

  // Replica fields from INFO.
  Duration master_link_down_time = ms(0);
  std::string slave_master_host;
  int slave_master_port = 0;
  bool slave_master_link_up = false;
  TimePoint slave_conf_change_time = kNever;
  int slave_priority = kDefaultSlavePriority;
  std::int64_t slave_repl_offset = 0;
  // A replica's offset as its master's last INFO reports it acknowledged (nullopt: not
  // reported there). Not Sentinel's: a planned failover waits for it (replica_caught_up).
  std::optional<std::int64_t> acked_at_master;
  std::optional<std::int64_t> master_repl_offset;  // INFO's, any role (not used by decisions)
  bool replica_announced = true;
  std::string info_text;  // cached for INFO-CACHE

  // Peer sentinel's vote as reported in its is-master-down-by-addr answers.
  std::string leader;
  std::uint64_t leader_epoch = 0;
};

// One monitored group: the master record with its replica and sentinel tables.
struct Group {
  GroupConfig config;
  Instance master;
  std::map<std::string, Instance> replicas;   // key: "ip:port"
  std::map<std::string, Instance> sentinels;  // key: myid

  std::uint64_t config_epoch = 0;
  std::string leader;  // our vote in leader_epoch; cleared (epoch kept) on switch
  std::uint64_t leader_epoch = 0;

  FailoverState failover_state = FailoverState::kNone;
  TimePoint failover_state_change_time = kNever;
  TimePoint failover_start_time = kNever;
  std::uint64_t failover_epoch = 0;
  bool force_failover = false;
  std::string promoted_replica;  // key into replicas, empty if none
  // PROXY FAILOVER <replica>: the one replica this failover may promote (key into
  // replicas; empty: the best, as Sentinel chooses).
  std::string requested_replica;
  // A requested failover of a reachable master (SENTINEL/PROXY FAILOVER) first pauses its
  // writes (CLIENT PAUSE WRITE) and waits, bounded, for the chosen replica to reach the
  // master's offset at the pause, so that no acknowledged write is left behind.
  TimePoint writes_paused_at = kNever;
  // The master a failover led by this sentinel replaced. It is turned into a replica as
  // soon as it is reachable (during the reconfiguration, or when it comes back), not
  // after Sentinel's 8 s wait: this sentinel assigned the newer config epoch itself, so
  // the old master's claim is known to be stale, and every write it takes meanwhile
  // would be thrown away at its resync.
  std::optional<Address> demoted_master;
  bool demoted_master_fenced = false;  // its SLAVEOF went out during the reconfiguration
  // The master the current one replaced (by our promotion or an address switch) still
  // answered this sentinel then: a planned failover, whose in-flight replies are worth
  // waiting for (Topology::replaced_master_up).
  bool replaced_master_up = false;

  bool failover_in_progress() const { return failover_state != FailoverState::kNone; }
  Instance* promoted() {
    auto it = replicas.find(promoted_replica);
    return it == replicas.end() ? nullptr : &it->second;
  }
  const Instance* promoted() const {
    auto it = replicas.find(promoted_replica);
    return it == replicas.end() ? nullptr : &it->second;
  }
};

// The instance answers this sentinel: its link is up and it is not subjectively down.
bool instance_up(const Instance& instance);
// Not SDOWN, and connected or answered a PING acceptably in the last 2 s: a link down for
// a moment is no silence (a demotion's CLIENT KILL TYPE pubsub drops the sentinels' links
// to the old master just as its replacement is published).
bool instance_answering(const Instance& instance, TimePoint now);

// This sentinel voted for a failover of the group's master (its own or another's) that it
// has not seen complete, less than the election timeout (the smaller of `election_timeout`
// and failover-timeout) ago: a replica may be being promoted right now, even if the master
// answers again.
bool failover_vote_pending(const Group& group, TimePoint now, Duration election_timeout);

// mirrors sentinelGetCurrentMasterAddress: the promoted replica once our failover reached
// RECONF_SLAVES, else the master.
Address current_master_address(const Group& group);

// A peer sentinel answers this one now: its link is up and answered since it was
// (re)opened, and its last answer to PING is at most half of down-after-milliseconds old
// at `judged_at` (Engine::reach_judged_at: `now`, or the start of a stall of this
// process that just ended, whose answers were waiting unread); a peer back after a gap
// (Link::back_in_reach_at) counts once it sent a hello since.
bool peer_in_reach(const Group& group, const Instance& peer, TimePoint now, TimePoint judged_at);

// Whether this sentinel can talk to a majority of the sentinels it knows for `group`
// (itself included) *and* to at least `quorum` of them (peer_in_reach): false when more
// than half of those it knows have not answered for half of down-after-milliseconds,
// which is what a sentinel on the minority side of a partition sees, before the majority
// side can promote a replica (it counts a whole down-after). With a down-after under about
// 600 ms a busy peer's answers may come too late and fence a healthy group. The quorum
// counts too, so that a sentinel that never discovered its peers (or forgot them) is not taken for
// a majority of one. Only peers that answered at least once count, either way: a hello is
// unauthenticated, and one naming a sentinel that never answers (a forgery, or an address nobody
// can reach) would otherwise count against the majority and fence writes; nor may a forged peer
// that has not yet been found silent count for one.
bool reaches_majority(const Group& group, TimePoint now, TimePoint judged_at);
inline bool reaches_majority(const Group& group, TimePoint now) {
  return reaches_majority(group, now, now);
}

}  // namespace sp::sentinel

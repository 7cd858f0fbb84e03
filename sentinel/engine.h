#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/actions.h"
#include "sentinel/clock.h"
#include "sentinel/config.h"
#include "sentinel/events.h"
#include "sentinel/instance.h"
#include "sentinel/persisted_state.h"
#include "sentinel/rng.h"

namespace sp::sentinel {

struct InfoReport;

// The answer to SENTINEL is-master-down-by-addr: [down_state, leader, leader_epoch]
// with the types integer, bulk string ("*" if none), integer.
struct IsMasterDownAnswer {
  bool down = false;
  std::string leader = "*";
  std::uint64_t leader_epoch = 0;
  bool operator==(const IsMasterDownAnswer&) const = default;
};

// What SENTINEL SET notification-script / client-reconfig-script may do: refused
// while `deny-scripts-reconfig yes` (the default), and only for an executable file,
// which the shell checks (the engine does no file system I/O).
struct ScriptPolicy {
  bool deny_reconfig = true;
  std::function<bool(const std::string& path)> is_executable;
};

// The outcome of SENTINEL FAILOVER <name>, one value per Sentinel reply.
enum class FailoverRequest : std::uint8_t {
  kStarted,        // +OK
  kNoSuchMaster,   // -ERR No such master with that name
  kInProgress,     // -INPROG Failover already in progress
  kNoGoodReplica,  // -NOGOODSLAVE No suitable replica to promote
  kNoSuchReplica,  // (PROXY FAILOVER <replica>) the named replica is not one of the group's
};

// The error text for a refused request, without the leading '-' ("" for kStarted).
std::string failover_request_error(FailoverRequest result);

// Redis Sentinel 7.0's algorithm as a pure state machine. Single-threaded; it
// never reads a clock, draws from a global RNG, logs or does I/O. Inputs:
// tick() every 50-100 ms (jittered), on_event() for every reply/hello, and
// answer_is_master_down() for peers' requests. Outputs: take_actions().
class Engine {
 public:
  // `persisted` is the state from the last PersistState (nullopt on first start);
  // it overrides the configured master addresses and epochs. If no myid is
  // known, one is drawn from the RNG and a PersistState is emitted at once.
  Engine(EngineConfig config, std::optional<PersistedState> persisted, std::uint64_t rng_seed,
         TimePoint now);

  // mirrors sentinelTimer: TILT check, then every instance of every group.
  void tick(TimePoint now);
  // The ticks begin now: the time since the engine was made (a start-up that waited for
  // the master, an upgrade's hand-over) is not a stall of this process, so no TILT for it.
  void start_ticking(TimePoint now) { previous_tick_ = now; }

  // The time peers' answers are judged at for fence-on-minority (peer_in_reach): `now`,
  // unless this process has just stalled (no tick for kEngineStall: a slow disk under a
  // config rewrite, a starved CPU), while the overdue tick has not run or within
  // kStallCatchUp after it: then the stall's start. The answers that came during the
  // stall wait unread in the sockets, so a peer that answered on time must not count as
  // silent (nor as back after a gap, which costs a hello: up to 2 s of fenced writes).
  // A real cut during the stall is found at most kStallCatchUp later.
  TimePoint reach_judged_at(TimePoint now) const;
  static constexpr Duration kEngineStall = ms(200);  // ticks come every 50-100 ms
  static constexpr Duration kStallCatchUp = ms(100);

  void on_event(const Event& event, TimePoint now);

  // SENTINEL is-master-down-by-addr from a peer. May vote: the caller must
  // drain take_actions() and execute any PersistState before sending the reply.
  IsMasterDownAnswer answer_is_master_down(std::string_view ip, int port, std::uint64_t req_epoch,
                                           std::string_view req_runid, TimePoint now);

  // SENTINEL FAILOVER: starts a failover without ODOWN or agreement, as the leader
  // of a new epoch (mirrors sentinelCommand's "failover" branch).
  // SENTINEL FAILOVER <group>; with `replica` ("ip:port" or "host:port"), that replica is
  // the one promoted (PROXY FAILOVER <replica>), and refused when it is not eligible.
  FailoverRequest request_failover(std::string_view group, TimePoint now,
                                   std::string_view replica = {});

  // SENTINEL MONITOR / REMOVE / RESET / SET (engine_admin.cc). Errors are Sentinel's
  // texts without the "ERR " prefix; "" means done.
  std::string monitor_group(GroupConfig config, TimePoint now);
  bool remove_group(std::string_view name);
  bool reset_group(std::string_view name, TimePoint now);
  std::string set_group_option(std::string_view name, std::string_view option,
                               std::string_view value);
  // SENTINEL CONFIG SET sentinel-user|sentinel-pass: the links to other sentinels are
  // closed, to be opened again with the new credentials (sentinelDropConnections).
  void drop_sentinel_connections();

  // Moves out the actions accumulated since the last call, in order.
  std::vector<Action> take_actions();

  PersistedState persisted_state() const;

  // SENTINEL get-master-addr-by-name: the promoted replica once our failover
  // reached RECONF_SLAVES, else the configured master; nullopt if unknown.
  std::optional<Address> master_address(std::string_view group) const;

  const std::string& myid() const { return myid_; }
  // Hellos refused as malformed, out of range or forged with our own id, since start.
  std::uint64_t hellos_rejected() const { return hellos_rejected_; }
  std::uint64_t current_epoch() const { return current_epoch_; }
  bool tilt() const { return tilt_; }
  TimePoint tilt_start() const { return tilt_start_; }
  const Timings& timings() const { return config_.timings; }
  // SENTINEL DEBUG <timer> <ms>: Sentinel lets operators shrink its timers at run time.
  void set_timings(const Timings& timings) { config_.timings = timings; }
  // SENTINEL CONFIG SET announce-ip / announce-port: used from the next hello on.
  void set_announce(std::string ip, int port) {
    config_.announce_ip = std::move(ip);
    config_.announce_port = port;
  }
  void set_script_policy(ScriptPolicy policy) { script_policy_ = std::move(policy); }
  // SENTINEL CONFIG SET resolve-hostnames / announce-hostnames: applies to addresses
  // created and shown from now on.
  void set_hostname_policy(HostnamePolicy policy) { config_.hostnames = policy; }
  // Where hostnames are resolved (the shell's cache); none = hostnames stay unresolved.
  void set_host_resolver(HostResolver resolver) { resolver_ = std::move(resolver); }
  // The form of `addr` that hellos, events, replies and the config show: the hostname
  // with announce-hostnames, else the IP.
  const std::string& announced(const Address& addr) const {
    return announced_host(addr, config_.hostnames);
  }
  const EngineConfig& config() const { return config_; }
  const std::vector<Group>& groups() const { return groups_; }
  const Group* group(std::string_view name) const;

 private:
  // engine.cc
  void init_groups(const std::optional<PersistedState>& persisted, TimePoint now);
  void check_tilt(TimePoint now);
  void handle_instance(Group& group, Instance& instance, TimePoint now);
  Group* find_group(std::string_view name);
  Instance* find_instance(Group& group, const Endpoint& endpoint);
  std::string command_name(const Group& group, std::string_view command) const;
  Endpoint endpoint_of(const Group& group, const Instance& instance) const;
  void notice(Notice notice);
  // An event about `instance` of `group` that carries nothing more.
  void notice(NoticeKind kind, const Group& group, const Instance& instance);
  // The event about `instance` (or the group alone), for the caller to add its fields.
  Notice about(NoticeKind kind, const Group& group, const Instance& instance) const;
  Notice about(NoticeKind kind, const Group& group) const;
  void persist();
  std::string replica_name(const Address& addr) const;
  std::optional<Address> make_address(std::string_view host, int port,
                                      bool accept_unresolved) const;
  bool equals_host(const Address& addr, std::string_view host) const;

  // engine_link.cc
  Instance make_instance(InstanceKind kind, std::string name, Address addr, TimePoint now) const;
  void reconnect_instance(Group& group, Instance& instance, TimePoint now);
  void send_periodic_commands(Group& group, Instance& instance, TimePoint now);
  void send_ping(Group& group, Instance& instance, TimePoint now);
  void send_hello(Group& group, Instance& instance);
  void close_link(Group& group, Instance& instance);
  void drop_instance_connections(Group& group);
  void on_reply(const Endpoint& from, const Event& event, TimePoint now);
  void on_ping_reply(Group& group, Instance& instance, PingReplyKind kind, TimePoint now);

  // engine_info.cc
  void refresh_instance_info(Group& group, Instance& instance, const std::string& text,
                             TimePoint now);
  void discover_replicas(Group& group, const std::vector<Address>& replicas, TimePoint now);
  // Each replica's acknowledged offset as its master's INFO reports it.
  void note_acked_offsets(Group& group, const InfoReport& master_report);
  void record_role(Group& group, Instance& instance, Role role, TimePoint now);
  void handle_replica_reporting_master(Group& group, Instance& replica, TimePoint now);
  void fix_wrong_master(Group& group, Instance& replica, TimePoint now);
  void track_reconf_progress(Group& group, Instance& replica);
  bool master_looks_sane(const Group& group, TimePoint now) const;
  // `kill_normal_clients`: false only for a master whose writes are paused (see
  // fence_demoted_master).
  bool send_replica_of(Group& group, Instance& instance, std::optional<Address> target,
                       bool kill_normal_clients = true);

  // engine_hello.cc
  void process_hello(std::string_view payload, bool via_pubsub, TimePoint now);
  void reject_hello(std::string_view why, std::string_view payload, TimePoint now);
  Instance* learn_sentinel(Group& group, const Address& addr, const std::string& id, TimePoint now);
  void remove_sentinel_everywhere(const std::string& id);
  void force_hello_update(Group& group);

  // engine_down.cc
  void check_subjectively_down(Group& group, Instance& instance, TimePoint now);
  void check_objectively_down(Group& group, TimePoint now);
  void ask_master_state(Group& group, bool forced, TimePoint now);
  void on_master_down_reply(Instance& peer, const MasterDownReply& reply, TimePoint now);

  // engine_election.cc
  const std::string& vote_leader(Group& group, std::uint64_t req_epoch,
                                 const std::string& req_runid, TimePoint now,
                                 std::uint64_t& leader_epoch);
  std::optional<std::string> get_leader(Group& group, std::uint64_t epoch, TimePoint now);
  bool start_failover_if_needed(Group& group, TimePoint now);
  void start_failover(Group& group, TimePoint now);

  // failover.cc
  void failover_state_machine(Group& group, TimePoint now);
  void failover_step(Group& group, TimePoint now);
  void fence_demoted_master(Group& group, const Instance* promoted);
  bool replica_caught_up(Group& group, const Instance& replica, TimePoint now);
  void unpause_writes(Group& group);
  void failover_wait_start(Group& group, TimePoint now);
  void failover_select_slave(Group& group, TimePoint now);
  void failover_send_slaveof_noone(Group& group, TimePoint now);
  void failover_wait_promotion(Group& group, TimePoint now);
  void failover_reconf_next_slave(Group& group, TimePoint now);
  void failover_detect_end(Group& group, TimePoint now);
  void abort_failover(Group& group, TimePoint now);

  // engine_switch.cc
  void switch_to_promoted(Group& group, TimePoint now);
  void reset_master_and_change_address(Group& group, const Address& addr, TimePoint now);

  EngineConfig config_;
  Rng rng_;
  HostResolver resolver_;
  std::string myid_;
  std::uint64_t current_epoch_ = 0;
  std::vector<Group> groups_;
  bool tilt_ = false;
  TimePoint tilt_start_ = kNever;
  TimePoint previous_tick_ = kNever;
  TimePoint stall_began_ = kNever;  // the last stall this process's ticks showed
  TimePoint stall_ended_ = kNever;
  std::vector<Action> actions_;
  ScriptPolicy script_policy_;
  std::uint64_t hellos_rejected_ = 0;
  std::uint64_t hellos_rejected_reported_ = 0;  // the count at the last -hello-rejected
  TimePoint hello_rejected_notice_time_ = kNever;
};

}  // namespace sp::sentinel

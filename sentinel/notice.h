#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sentinel/instance.h"

namespace sp::sentinel {

// One value per Sentinel event the engine (and its script runner) emits; to_string gives
// Sentinel's event name, the Pub/Sub channel ("+sdown", "-failover-abort-not-elected", ...).
enum class NoticeKind : std::uint8_t {
  kMonitor,                        // +monitor
  kUnmonitor,                      // -monitor
  kResetMaster,                    // +reset-master
  kSet,                            // +set
  kSdown,                          // +sdown
  kSdownEnded,                     // -sdown
  kOdown,                          // +odown
  kOdownEnded,                     // -odown
  kNewEpoch,                       // +new-epoch
  kVoteForLeader,                  // +vote-for-leader
  kTryFailover,                    // +try-failover
  kElectedLeader,                  // +elected-leader
  kFailoverStateSelectSlave,       // +failover-state-select-slave
  kSelectedSlave,                  // +selected-slave
  kFailoverStateSendSlaveofNoone,  // +failover-state-send-slaveof-noone
  kFailoverStateWaitPromotion,     // +failover-state-wait-promotion
  kPromotedSlave,                  // +promoted-slave
  kFailoverStateReconfSlaves,      // +failover-state-reconf-slaves
  kSlaveReconfSent,                // +slave-reconf-sent
  kSlaveReconfSentTimeout,         // -slave-reconf-sent-timeout
  kSlaveReconfInprog,              // +slave-reconf-inprog
  kSlaveReconfDone,                // +slave-reconf-done
  kSlaveReconfSentBe,              // +slave-reconf-sent-be
  kFailoverEndForTimeout,          // +failover-end-for-timeout
  kFailoverEnd,                    // +failover-end
  kFailoverAbortNotElected,        // -failover-abort-not-elected
  kFailoverAbortNoGoodSlave,       // -failover-abort-no-good-slave
  kFailoverAbortSlaveTimeout,      // -failover-abort-slave-timeout
  kSwitchMaster,                   // +switch-master
  kConfigUpdateFrom,               // +config-update-from
  kConvertToSlave,                 // +convert-to-slave
  kFixSlaveConfig,                 // +fix-slave-config
  kSlave,                          // +slave
  kSentinel,                       // +sentinel
  kSentinelAddressSwitch,          // +sentinel-address-switch
  kSentinelAddressUpdate,          // +sentinel-address-update
  kSentinelInvalidAddr,            // +sentinel-invalid-addr
  kReboot,                         // +reboot
  kRoleChange,                     // +role-change (the new role is the expected one)
  kRoleChangeUnexpected,           // -role-change
  kTilt,                           // +tilt
  kTiltEnded,                      // -tilt
  kHelloRejected,                  // -hello-rejected (ours: hellos refused as malformed)
  kScriptError,                    // -script-error
  kScriptTimeout,                  // -script-timeout
};
inline constexpr std::size_t kNoticeKinds = 45;

std::string_view to_string(NoticeKind kind);
// The kind named by a Sentinel event name; nullopt for events the engine never emits.
std::optional<NoticeKind> notice_kind(std::string_view event_name);
// "not-elected" | "no-good-slave" | "slave-timeout" for the -failover-abort-* kinds.
std::optional<std::string_view> failover_abort_reason(NoticeKind kind);

// A host and port as events show them: the announced host (the hostname with
// announce-hostnames, else the IP, or the host as a peer's hello gave it).
struct ShownAddress {
  std::string host = {};
  int port = 0;
  bool operator==(const ShownAddress&) const = default;
};

// The instance an event is about, Sentinel's "%@" (instance details).
struct NoticeInstance {
  InstanceKind kind = InstanceKind::kMaster;
  std::string name =
      {};  // the group for a master, "<ip>:<port>" for a replica, a sentinel's run id
  ShownAddress addr = {};
  bool operator==(const NoticeInstance&) const = default;
};

// A Sentinel event as typed fields. Which fields an event carries is listed beside each;
// to_text() turns them into Sentinel's message.
struct Notice {
  NoticeKind kind = NoticeKind::kTilt;
  // The group (master name) the event is about, as sentinelEvent picks `ri->master`; empty
  // for sentinel-wide events (±tilt, -hello-rejected, -script-*).
  std::string group = {};
  // Every group event but +new-epoch, +vote-for-leader and +switch-master has one.
  std::optional<NoticeInstance> subject = {};
  // The group's master (its configured address) for every group event; for +switch-master
  // the master replaced.
  ShownAddress master = {};

  ShownAddress to = {};        // +switch-master: the new master; +sentinel-address-switch: the
                               // peer's new address
  std::string run_id = {};     // +vote-for-leader: the leader voted for; +sentinel-address-switch:
                               // the peer that moved
  std::uint64_t epoch = 0;     // +new-epoch: the current epoch; +vote-for-leader: the leader's
  int votes = 0;               // +odown: sentinels that find the master down (ourselves included)
  int quorum = 0;              // +odown, +monitor
  Role role = Role::kUnknown;  // ±role-change: the role the instance reports now
  std::string option = {};     // +set
  std::string value = {};      // +set (a password already redacted)
  std::uint64_t count = 0;     // +sentinel-address-update: other groups updated;
                               // -hello-rejected: rejections not reported before
  std::string reason = {};     // -hello-rejected: why, then the payload made printable
  std::string script = {};     // -script-*: the script's path
  std::int64_t pid = 0;        // -script-timeout
  int signal = 0;              // -script-error
  int exit_code = 0;           // -script-error

  bool operator==(const Notice&) const = default;
};

// An event whose subject is the master of `group`, at `addr` (+sdown, +odown, ...).
Notice master_notice(NoticeKind kind, std::string group, ShownAddress addr);

// -script-error: the script at `script` ended by `signal` (0: it exited) with `exit_code`.
Notice script_error_notice(std::string script, int signal, int exit_code);

// Sentinel's message for the event, byte for byte as redis-sentinel writes it (the Pub/Sub
// payload, the log line after the event name, a notification script's second argument).
std::string to_text(const Notice& notice);

}  // namespace sp::sentinel

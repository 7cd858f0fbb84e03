#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

namespace sp::protocol {
struct CommandInfo;
}

namespace sp::proxy {

// A counter with one writer (its worker thread) and any number of readers (the metrics
// collector, PROXY INFO on another worker). Relaxed load + store, no read-modify-write:
// on x86 an increment is a plain add, nothing is locked per command.
class StatCounter {
 public:
  void add(std::int64_t n = 1) {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::int64_t get() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

// Upper bounds of the command latency histogram, in seconds (Prometheus `le`).
inline constexpr std::array<double, 17> kLatencyBounds = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05,    0.1,    0.25,    0.5,    1.0,   2.5,    5.0,   10.0};

// Where a command is counted: one slot per command of protocol::all_commands(), then the
// proxy's own commands, then everything the table does not know. Bounded label values.
std::size_t command_slot_count();
std::size_t command_slot(const protocol::CommandInfo* info);
std::size_t proxy_command_slot();
std::size_t quit_command_slot();
std::string_view command_slot_name(std::size_t slot);

// Everything one worker counts. The collector and PROXY INFO sum these over workers.
struct WorkerStats {
  WorkerStats();

  void count_command(std::size_t slot, bool error, std::chrono::nanoseconds latency);

  StatCounter connected_clients;  // a gauge: +1 on accept, -1 on close
  StatCounter connections_accepted;
  StatCounter connections_rejected;  // maxclients
  StatCounter client_bytes_in;
  StatCounter client_bytes_out;
  StatCounter backend_bytes_in;
  StatCounter backend_bytes_out;
  StatCounter backend_connects;
  StatCounter backend_connect_failures;
  StatCounter protocol_errors;
  StatCounter limit_closes;  // query or output buffer limit, idle timeout
  StatCounter buffer_bytes;  // a gauge: capacity of all session buffers
  // Failovers as sessions live them.
  StatCounter sessions_held;      // a gauge: sessions holding commands now
  StatCounter held_commands;      // a gauge: commands those sessions hold
  StatCounter holds;              // times a session began to hold
  StatCounter hold_ns;            // time spent holding, summed over sessions
  StatCounter hold_timeouts;      // commands answered with an error past failover-hold-ms
  StatCounter sessions_migrated;  // moved to a new master with their state replayed
  StatCounter sessions_pinned;    // pooled sessions given their own connection (CommandClass::pins)
  StatCounter sessions_closed_at_swap;  // commands in flight on the old master: closed
  StatCounter exec_aborted;             // transactions failed because the session moved
  StatCounter writes_refused_fenced;    // writes refused under fence-on-minority
  StatCounter commands_retried;         // sent again to a new master after -READONLY
  StatCounter durability_waits;         // WAITs sent behind writes (write-durability)
  StatCounter writes_unconfirmed;       // write replies replaced by -NOREPLICAS
  StatCounter proxy_commands_refused;   // PROXY commands refused: not authenticated/permitted
  StatCounter protected_mode_denied;    // clients from other hosts refused in protected mode
  // steady_clock nanoseconds of the last successful / failed backend connect.
  StatCounter last_connect_ok_ns;
  StatCounter last_connect_fail_ns;

  // [slot * 2 + error]
  std::unique_ptr<StatCounter[]> commands;
  std::array<StatCounter, kLatencyBounds.size() + 1> latency_buckets;  // last: +Inf
  StatCounter latency_sum_ns;
};

}  // namespace sp::proxy

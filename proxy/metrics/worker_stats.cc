#include "proxy/metrics/worker_stats.h"

#include "protocol/command_table.h"

namespace sp::proxy {
namespace {

std::size_t table_size() {
  static const std::size_t size = protocol::all_commands().size();
  return size;
}

}  // namespace

std::size_t command_slot_count() {
  return table_size() + 3;
}
std::size_t proxy_command_slot() {
  return table_size();
}
std::size_t quit_command_slot() {
  return table_size() + 1;
}

std::size_t command_slot(const protocol::CommandInfo* info) {
  const auto all = protocol::all_commands();
  if (info == nullptr || info < all.data() || info >= all.data() + all.size()) {
    return table_size() + 2;
  }
  return static_cast<std::size_t>(info - all.data());
}

std::string_view command_slot_name(std::size_t slot) {
  if (slot < table_size()) return protocol::all_commands()[slot].name;
  if (slot == proxy_command_slot()) return "proxy";
  if (slot == quit_command_slot()) return "quit";
  return "unknown";
}

WorkerStats::WorkerStats() : commands(new StatCounter[command_slot_count() * 2]) {}

void WorkerStats::count_command(std::size_t slot, bool error, std::chrono::nanoseconds latency) {
  commands[slot * 2 + (error ? 1 : 0)].add();
  const double seconds = std::chrono::duration<double>(latency).count();
  std::size_t bucket = 0;
  while (bucket < kLatencyBounds.size() && seconds > kLatencyBounds[bucket]) ++bucket;
  latency_buckets[bucket].add();
  latency_sum_ns.add(latency.count());
}

}  // namespace sp::proxy

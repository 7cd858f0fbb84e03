#include "proxy/failover/failover_feed.h"

namespace sp::proxy {
namespace {

std::string shown_address(const sentinel::Engine& engine, const sentinel::Address& addr) {
  return engine.announced(addr) + ":" + std::to_string(addr.port);
}

}  // namespace

ReplicationOffsets replication_offsets(const sentinel::Engine& engine, const std::string& group) {
  ReplicationOffsets offsets;
  const sentinel::Group* g = engine.group(group);
  if (g == nullptr) return offsets;
  offsets.master = shown_address(engine, g->master.addr);
  offsets.master_offset = g->master.master_repl_offset;
  for (const auto& [key, replica] : g->replicas) {
    // A replica never seen as one has no offset worth comparing.
    if (replica.role_reported != sentinel::Role::kSlave && !replica.promoted) continue;
    offsets.replica_offsets[shown_address(engine, replica.addr)] = replica.slave_repl_offset;
  }
  return offsets;
}

void feed_failover_notice(FailoverRecorder& recorder, const sentinel::Engine& engine,
                          const std::string& group, const sentinel::Notice& notice) {
  if (const sentinel::Group* g = engine.group(group)) recorder.set_config_epoch(g->config_epoch);
  recorder.on_notice(notice, FailoverStamp::now(), replication_offsets(engine, group));
}

}  // namespace sp::proxy

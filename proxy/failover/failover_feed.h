#pragma once

#include <string>

#include "proxy/failover/failover_recorder.h"
#include "sentinel/actions.h"
#include "sentinel/engine.h"

namespace sp::proxy {

// What the engine knows now of the served group's replication offsets, addresses in the
// form its notices show. Call on the engine thread.
ReplicationOffsets replication_offsets(const sentinel::Engine& engine, const std::string& group);

// Hands one engine notice to the recorder, with the offsets and config epoch the engine
// knows as it is handled. Call on the engine thread, before the notice changes what the
// proxy publishes (so that a promotion is recorded before the swap it causes).
void feed_failover_notice(FailoverRecorder& recorder, const sentinel::Engine& engine,
                          const std::string& group, const sentinel::Notice& notice);

}  // namespace sp::proxy

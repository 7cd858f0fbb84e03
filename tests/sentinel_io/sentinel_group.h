#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/value.h"
#include "tests/support/processes.h"

namespace sp::testing {

// One command on a fresh connection, its reply decoded; nullopt when nothing complete came
// back in time.
std::optional<protocol::Value> call_value(int port, const std::vector<std::string>& args,
                                          std::chrono::milliseconds deadline = 2s);

// SENTINEL FAILOVER or PROXY FAILOVER (`args`) until it is no longer refused with
// -NOGOODSLAVE, which it is while the sentinel does not yet find a replica promotable (its
// INFO not read yet, or too old, on a busy machine), or `deadline` passes: the last reply.
std::string failover_when_possible(int port, const std::vector<std::string>& args,
                                   std::chrono::milliseconds deadline = 20s);

// The value of `field` in a flat field/value array (SENTINEL MASTER and the like).
std::string field(const protocol::Value& fields, const std::string& name);

// A sentinel-proxy in drop-in sentinel mode, its config file written into `dir`.
std::unique_ptr<ChildProcess> start_sentinel_proxy(const std::string& config_path, int port);

// A sentinel-proxy in proxy mode whose file also carries `sentinel ...` lines: a client
// port and a sentinel port.
std::unique_ptr<ChildProcess> start_proxy_with_sentinel(const std::string& config_path,
                                                        int sentinel_port, int client_port);

// A real redis-sentinel with the same kind of file.
std::unique_ptr<ChildProcess> start_redis_sentinel(const std::string& config_path, int port);

// Writes a sentinel.conf monitoring `mymaster` at 127.0.0.1:master_port, quorum 2.
void write_sentinel_conf(const std::string& path, int port, int master_port,
                         int down_after_ms = 1000, int failover_timeout_ms = 10000);

// Sends each input on a fresh connection to both ports; the replies must be the same bytes
// (each input gets its replies, or a close after a protocol error).
void expect_same_replies(int real_port, int ours_port, const std::vector<std::string>& inputs);

}  // namespace sp::testing

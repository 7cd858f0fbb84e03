#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sentinel/io/sentinel_service.h"

namespace sp::proxy {

// Drop-in mode's metrics port (`--metrics-port`, off by default as redis-sentinel has
// none): /metrics with the process, the sentinel's counters and each monitored master's
// state; /healthz; /readyz (sentinel_not_ready_reason). Served on the sentinel's own thread,
// where the engine may be read. The returned object keeps the port open.
std::shared_ptr<void> serve_drop_in_metrics(asio::io_context& io,
                                            sentinel::io::SentinelService& service,
                                            const std::string& bind, std::uint16_t port);

}  // namespace sp::proxy

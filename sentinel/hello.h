#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace sp::sentinel {

// The highest epoch taken from a peer (hello, vote request). Epochs only ever go up by one
// per failover, so from any accepted value the engine's own `++epoch` cannot wrap to 0 —
// a wrapped epoch would make every newer configuration look older than the one it
// replaces. Real epochs are small; 2^63-1 also keeps them exact as Redis integers.
inline constexpr std::uint64_t kMaxEpoch = std::numeric_limits<std::int64_t>::max();

// The 8-field hello payload published on __sentinel__:hello (§4.1):
// ip,port,myid,current_epoch,master_name,master_ip,master_port,master_config_epoch
struct Hello {
  std::string sentinel_ip;
  int sentinel_port = 0;
  std::string sentinel_id;
  std::uint64_t current_epoch = 0;
  std::string master_name;
  std::string master_ip;
  int master_port = 0;
  std::uint64_t master_config_epoch = 0;
  bool operator==(const Hello&) const = default;
};

// Why a hello payload was refused: the first field found wrong, in payload order.
enum class HelloError : std::uint8_t {
  kNone,
  kFieldCount,    // not exactly 8 comma-separated fields
  kSentinelIp,    // neither an IP literal nor a hostname
  kSentinelPort,  // not a number in 1..65535
  kSentinelId,    // not exactly 40 hex characters
  kCurrentEpoch,  // not a number in 0..kMaxEpoch
  kMasterName,    // empty, or with a space or control character
  kMasterIp,
  kMasterPort,
  kConfigEpoch,
  // master_config_epoch above current_epoch: no sentinel sends that (a config epoch is a
  // failover's epoch, and adopting one from a hello adopts its current epoch first). A
  // forged one would set every sentinel's config epoch above the next failover's, and
  // the sentinels that did not lead it would never follow it.
  kEpochOrder,
};
std::string_view to_string(HelloError error);

std::string format_hello(const Hello& hello);

// Parses `payload` and checks every field's syntax and range; `out` is filled only when
// kNone comes back. Whether a hostname may be used, and whether the master name is one we
// monitor, are the engine's questions.
HelloError parse_hello(std::string_view payload, Hello& out);

// The same, nullopt for any error.
std::optional<Hello> parse_hello(std::string_view payload);

}  // namespace sp::sentinel

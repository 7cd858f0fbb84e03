#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sp::sentinel {

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

std::string format_hello(const Hello& hello);

// nullopt unless exactly 8 comma-separated fields with numeric ports/epochs.
std::optional<Hello> parse_hello(std::string_view payload);

}  // namespace sp::sentinel

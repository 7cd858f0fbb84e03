#include "sentinel/hello.h"

#include <charconv>
#include <vector>

#include "common/parse_number.h"
#include "sentinel/hostnames.h"

namespace sp::sentinel {

namespace {

constexpr std::size_t kIdLength = 40;

template <typename T>
bool parse_number(std::string_view text, T& out) {
  const auto value = sp::parse_number<T>(text);
  if (value) out = *value;
  return value.has_value();
}

bool parse_port(std::string_view text, int& out) {
  return parse_number(text, out) && out >= 1 && out <= 65535;
}

bool parse_epoch(std::string_view text, std::uint64_t& out) {
  return parse_number(text, out) && out <= kMaxEpoch;
}

bool is_sentinel_id(std::string_view id) {
  if (id.size() != kIdLength) return false;
  for (char c : id) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

// A name goes into events, logs and the rewritten config as one word.
bool is_master_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u == 0x7f) return false;
  }
  return true;
}

bool is_host(std::string_view host) {
  return is_ip_literal(host) || is_hostname_syntax(host);
}

std::vector<std::string_view> split_commas(std::string_view payload) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = payload.find(',', start);
    if (comma == std::string_view::npos) {
      fields.push_back(payload.substr(start));
      return fields;
    }
    fields.push_back(payload.substr(start, comma - start));
    start = comma + 1;
  }
}

}  // namespace

std::string_view to_string(HelloError error) {
  switch (error) {
    case HelloError::kNone:
      return "ok";
    case HelloError::kFieldCount:
      return "not 8 fields";
    case HelloError::kSentinelIp:
      return "bad sentinel address";
    case HelloError::kSentinelPort:
      return "bad sentinel port";
    case HelloError::kSentinelId:
      return "bad sentinel id";
    case HelloError::kCurrentEpoch:
      return "bad current epoch";
    case HelloError::kMasterName:
      return "bad master name";
    case HelloError::kMasterIp:
      return "bad master address";
    case HelloError::kMasterPort:
      return "bad master port";
    case HelloError::kConfigEpoch:
      return "bad config epoch";
    case HelloError::kEpochOrder:
      return "config epoch above current epoch";
  }
  return "?";
}

std::string format_hello(const Hello& hello) {
  std::string out;
  out.reserve(128);
  out += hello.sentinel_ip;
  out += ',';
  out += std::to_string(hello.sentinel_port);
  out += ',';
  out += hello.sentinel_id;
  out += ',';
  out += std::to_string(hello.current_epoch);
  out += ',';
  out += hello.master_name;
  out += ',';
  out += hello.master_ip;
  out += ',';
  out += std::to_string(hello.master_port);
  out += ',';
  out += std::to_string(hello.master_config_epoch);
  return out;
}

// mirrors the token checks of sentinelProcessHelloMessage, and checks more: Sentinel
// takes any number strtoull and atoi make of a field, so that one hello from any client
// of a master could set a peer's epoch to 2^64-1.
HelloError parse_hello(std::string_view payload, Hello& out) {
  const auto fields = split_commas(payload);
  if (fields.size() != 8) return HelloError::kFieldCount;
  Hello hello;
  if (!is_host(fields[0])) return HelloError::kSentinelIp;
  if (!parse_port(fields[1], hello.sentinel_port)) return HelloError::kSentinelPort;
  if (!is_sentinel_id(fields[2])) return HelloError::kSentinelId;
  if (!parse_epoch(fields[3], hello.current_epoch)) return HelloError::kCurrentEpoch;
  if (!is_master_name(fields[4])) return HelloError::kMasterName;
  if (!is_host(fields[5])) return HelloError::kMasterIp;
  if (!parse_port(fields[6], hello.master_port)) return HelloError::kMasterPort;
  if (!parse_epoch(fields[7], hello.master_config_epoch)) return HelloError::kConfigEpoch;
  if (hello.master_config_epoch > hello.current_epoch) return HelloError::kEpochOrder;
  hello.sentinel_ip = std::string(fields[0]);
  hello.sentinel_id = std::string(fields[2]);
  hello.master_name = std::string(fields[4]);
  hello.master_ip = std::string(fields[5]);
  out = std::move(hello);
  return HelloError::kNone;
}

std::optional<Hello> parse_hello(std::string_view payload) {
  Hello hello;
  if (parse_hello(payload, hello) != HelloError::kNone) return std::nullopt;
  return hello;
}

}  // namespace sp::sentinel

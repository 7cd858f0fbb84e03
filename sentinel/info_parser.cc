#include "sentinel/info_parser.h"

#include <cctype>
#include <charconv>

namespace sp::sentinel {

namespace {

bool starts_with(std::string_view line, std::string_view prefix) {
  return line.substr(0, prefix.size()) == prefix;
}

// strtoll-like: leading integer, 0 when none (Sentinel uses atoi/strtoll).
std::int64_t leading_int(std::string_view text) {
  std::int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::string_view until_comma(std::string_view text) {
  return text.substr(0, text.find(','));
}

// slave<N>:ip=<ip>,port=<port>,... or the old slave<N>:<ip>,<port>,<state>.
std::optional<Address> parse_replica_line(std::string_view line) {
  std::string_view ip;
  std::string_view port;
  if (line.find("ip=") == std::string_view::npos) {
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view rest = line.substr(colon + 1);
    std::size_t comma = rest.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    ip = rest.substr(0, comma);
    port = until_comma(rest.substr(comma + 1));
  } else {
    ip = until_comma(line.substr(line.find("ip=") + 3));
    std::size_t port_at = line.find("port=");
    if (port_at == std::string_view::npos) return std::nullopt;
    port = until_comma(line.substr(port_at + 5));
  }
  int port_number = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), port_number);
  if (ec != std::errc() || ip.empty()) return std::nullopt;
  return Address{std::string(ip), port_number};
}

bool is_replica_line(std::string_view line) {
  return line.size() > 5 && starts_with(line, "slave") &&
         std::isdigit(static_cast<unsigned char>(line[5]));
}

// The fields Sentinel reads only once role:slave has been seen.
void parse_replica_field(std::string_view line, InfoReport& report) {
  if (starts_with(line, "master_host:")) {
    report.master_host = std::string(line.substr(12));
  } else if (starts_with(line, "master_port:")) {
    report.master_port = static_cast<int>(leading_int(line.substr(12)));
  } else if (starts_with(line, "master_link_status:")) {
    std::string_view status = line.substr(19);
    report.master_link_up =
        status.size() >= 2 && std::tolower(status[0]) == 'u' && std::tolower(status[1]) == 'p';
  } else if (starts_with(line, "slave_priority:")) {
    report.slave_priority = static_cast<int>(leading_int(line.substr(15)));
  } else if (starts_with(line, "slave_repl_offset:")) {
    report.slave_repl_offset = leading_int(line.substr(18));
  } else if (starts_with(line, "replica_announced:")) {
    report.replica_announced = leading_int(line.substr(18)) != 0;
  }
}

void parse_line(std::string_view line, InfoReport& report) {
  if (line.size() >= 47 && starts_with(line, "run_id:")) {
    report.run_id = std::string(line.substr(7, 40));
  } else if (is_replica_line(line)) {
    if (auto addr = parse_replica_line(line)) {
      report.replicas.push_back(*addr);
      const std::size_t offset_at = line.find(",offset=");
      report.replica_acked_offsets.push_back(
          offset_at == std::string_view::npos
              ? std::nullopt
              : std::optional<std::int64_t>(leading_int(line.substr(offset_at + 8))));
    }
  } else if (starts_with(line, "master_link_down_since_seconds:")) {
    report.master_link_down_time = ms(leading_int(line.substr(31)) * 1000);
  } else if (starts_with(line, "master_repl_offset:")) {
    report.master_repl_offset = leading_int(line.substr(19));
  } else if (line == "role:master") {
    report.role = Role::kMaster;
  } else if (line == "role:slave") {
    report.role = Role::kSlave;
  } else if (report.role == Role::kSlave) {
    parse_replica_field(line, report);
  }
}

}  // namespace

// mirrors the parsing half of sentinelRefreshInstanceInfo
InfoReport parse_info(std::string_view text) {
  InfoReport report;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    parse_line(line, report);
    start = end + 1;
  }
  return report;
}

}  // namespace sp::sentinel

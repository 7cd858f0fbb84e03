#include "proxy/follow/sentinel_answers.h"

#include <charconv>
#include <sstream>

#include "common/parse_number.h"
#include "protocol/command_table.h"

namespace sp::proxy {
namespace {

std::optional<std::uint16_t> parse_port(std::string_view text) {
  const auto value = parse_number<unsigned>(text);
  if (!value || *value < 1 || *value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(*value);
}

bool is_text(const protocol::Value& v) {
  return v.type == protocol::RespType::kBulkString || v.type == protocol::RespType::kSimpleString ||
         v.type == protocol::RespType::kVerbatimString;
}

}  // namespace

std::optional<HostPort> split_host_port(std::string_view address) {
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const auto port = parse_port(address.substr(colon + 1));
  if (!port || host.empty()) return std::nullopt;
  return HostPort{std::string(host), *port};
}

std::optional<HostPort> master_addr_of(const protocol::Value& reply) {
  if (reply.type != protocol::RespType::kArray || reply.null || reply.elements.size() != 2) {
    return std::nullopt;
  }
  const auto& ip = reply.elements[0];
  const auto& port_text = reply.elements[1];
  if (!is_text(ip) || !is_text(port_text) || ip.text.empty()) return std::nullopt;
  const auto port = parse_port(port_text.text);
  if (!port) return std::nullopt;
  return HostPort{ip.text, *port};
}

std::optional<std::string> field_of(const protocol::Value& fields, std::string_view name) {
  if (fields.type != protocol::RespType::kArray && fields.type != protocol::RespType::kMap) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    if (fields.elements[i].text != name) continue;
    const protocol::Value& v = fields.elements[i + 1];
    if (v.type == protocol::RespType::kInteger) return std::to_string(v.integer);
    return v.text;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> uint_field_of(const protocol::Value& fields, std::string_view name) {
  const auto text = field_of(fields, name);
  if (!text) return std::nullopt;
  return parse_number<std::uint64_t>(*text);
}

bool master_going_away(const protocol::Value& fields) {
  const auto flags = field_of(fields, "flags");
  if (!flags) return false;
  std::string_view rest = *flags;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view flag = rest.substr(0, comma);
    if (flag == "o_down" || flag == "failover_in_progress") return true;
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  return false;
}

bool role_is_master(const protocol::Value& reply) {
  return reply.type == protocol::RespType::kArray && !reply.elements.empty() &&
         reply.elements[0].text == "master";
}

std::optional<SentinelEvent> event_of(const protocol::Value& message) {
  if (message.type != protocol::RespType::kArray && message.type != protocol::RespType::kPush) {
    return std::nullopt;
  }
  const auto& e = message.elements;
  if (e.size() != 3 || !protocol::iequals(e[0].text, "message") || !is_text(e[1]) ||
      !is_text(e[2])) {
    return std::nullopt;
  }
  return SentinelEvent{e[1].text, e[2].text};
}

std::optional<sentinel::Notice> master_notice_of(const SentinelEvent& event) {
  const auto kind = sentinel::notice_kind(event.type);
  if (!kind) return std::nullopt;
  std::istringstream words{event.text};
  std::string instance, name, host, port_text;
  if (!(words >> instance >> name >> host >> port_text) || instance != "master") {
    return std::nullopt;
  }
  const auto port = parse_port(port_text);
  if (!port) return std::nullopt;
  return sentinel::master_notice(*kind, name, {host, *port});
}

std::optional<SwitchMaster> switch_master_of(std::string_view text) {
  std::istringstream words{std::string(text)};
  std::string name, old_ip, old_port, new_ip, new_port, extra;
  if (!(words >> name >> old_ip >> old_port >> new_ip >> new_port) || (words >> extra)) {
    return std::nullopt;
  }
  const auto from = parse_port(old_port);
  const auto to = parse_port(new_port);
  if (!from || !to) return std::nullopt;
  return SwitchMaster{name, {old_ip, *from}, {new_ip, *to}};
}

}  // namespace sp::proxy

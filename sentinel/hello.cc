#include "sentinel/hello.h"

#include <charconv>
#include <vector>

namespace sp::sentinel {

namespace {

template <typename T>
bool parse_number(std::string_view text, T& out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
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

// mirrors the token checks of sentinelProcessHelloMessage
std::optional<Hello> parse_hello(std::string_view payload) {
  auto fields = split_commas(payload);
  if (fields.size() != 8) return std::nullopt;
  Hello hello;
  hello.sentinel_ip = std::string(fields[0]);
  hello.sentinel_id = std::string(fields[2]);
  hello.master_name = std::string(fields[4]);
  hello.master_ip = std::string(fields[5]);
  if (!parse_number(fields[1], hello.sentinel_port) ||
      !parse_number(fields[3], hello.current_epoch) ||
      !parse_number(fields[6], hello.master_port) ||
      !parse_number(fields[7], hello.master_config_epoch)) {
    return std::nullopt;
  }
  return hello;
}

}  // namespace sp::sentinel

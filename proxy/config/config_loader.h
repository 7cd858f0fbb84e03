#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/config/config.h"

namespace sp::proxy {

// A directive that start-up refuses; what() reads "<source>:<line>: <reason>".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Redis's memtoll: "1k" is 1000, "1kb" 1024, likewise m/mb and g/gb, any case.
std::optional<std::uint64_t> parse_size(std::string_view text);

// The range an integer directive takes (the loader's and PROXY CONFIG SET's, one table):
// nullopt for a directive that is not one of these.
struct IntegerRange {
  std::int64_t min;
  std::int64_t max;
};
std::optional<IntegerRange> integer_range(std::string_view name);

// syslog-facility's value as syslog(3)'s facility code (user, local0 ... local7), nullopt
// for any other name.
std::optional<int> syslog_facility_code(std::string_view name);

// Applies one directive (its name and arguments, as split from one line) to `config`.
// Returns an empty string, or why the directive is refused.
std::string apply_directive(Config& config, const std::vector<std::string>& args);

// Applies every line of a Redis-style directive file's text: one directive a line, blank
// lines and `#` comments skipped, arguments quoted as in redis.conf. Throws ConfigError
// naming `source` and the line.
void apply_config_text(Config& config, std::string_view text, std::string_view source);

// Reads and applies a file. Throws ConfigError when it cannot be read or is invalid.
void apply_config_file(Config& config, const std::string& path);

// The settings `running`'s file and command line give now (SIGHUP's reload), `dir` not
// applied again. Throws ConfigError.
Config read_config_again(const Config& running);

// Turns `--name v1 v2 --other v` into directive lines, as redis-server does.
std::string command_line_to_text(const std::vector<std::string>& args);

}  // namespace sp::proxy

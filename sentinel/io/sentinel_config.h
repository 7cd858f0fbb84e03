#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sentinel/config.h"
#include "sentinel/io/engine_shell.h"
#include "sentinel/persisted_state.h"

namespace sp::sentinel::io {

struct SentinelConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A sentinel.conf as redis-sentinel reads it: the `sentinel ...` directives, `port`,
// `bind`, `requirepass`, and the general server directives redis-sentinel tolerates.
struct SentinelFileConfig {
  EngineConfig engine;
  ShellConfig shell;
  std::optional<PersistedState> persisted;  // when the file carries `sentinel myid`
  // `user` directives, each "user <name> <rules...>", applied after `requirepass`; the
  // service keeps them current (ACL SETUSER/DELUSER) and the rewrite writes them back.
  std::vector<std::string> users;
  std::vector<std::string> bind{"127.0.0.1"};
  std::string logfile;
  std::string pidfile;
  std::string loglevel = "notice";
  bool resolve_hostnames = false;  // accepted and reported; names are not resolved yet
  bool announce_hostnames = false;
  bool deny_scripts_reconfig = true;  // SENTINEL SET may not change script paths
  std::vector<std::string> lines;     // the file as read, kept for the rewrite
};

// Applies one directive line to `config`; returns an error text ("" when accepted).
std::string apply_sentinel_directive(SentinelFileConfig& config, std::vector<std::string> args);

// The sentinel-wide options that SENTINEL CONFIG GET/SET see, in Sentinel's order, and
// setting one (an error text in Sentinel's words, "" when done).
std::vector<std::pair<std::string, std::string>> sentinel_globals(const SentinelFileConfig& config);
std::string set_sentinel_global(SentinelFileConfig& config, std::string_view name,
                                std::string_view value);

// What Sentinel requires of a notification or client-reconfig script: a file we may
// execute (access(X_OK)).
bool is_executable_file(const std::string& path);

// Reads `path`; throws SentinelConfigError with "path:line: reason (>>> 'line')".
SentinelFileConfig load_sentinel_config(const std::string& path);

// The file's new text, as Sentinel's CONFIG REWRITE leaves it: the operator's other lines
// and comments kept; each group's lines (`sentinel monitor` at the current master, and
// its options) written where the first monitor line was; then the state Sentinel
// generates (myid, epochs, known replicas and sentinels).
std::string render_sentinel_config(const SentinelFileConfig& config, const PersistedState& state,
                                   const std::vector<GroupConfig>& groups);

// Writes `text` durably in place: a temp file in the same directory, fsync, rename,
// fsync of the directory. Throws std::system_error on failure.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace sp::sentinel::io

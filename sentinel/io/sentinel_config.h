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
  bool deny_scripts_reconfig = true;  // SENTINEL SET may not change script paths
  std::vector<std::string> lines;     // the file as read, kept for the rewrite
  std::string path;                   // the file, made absolute before any `dir` moved us
};

// One `sentinel ...` line held back for its pass, as Sentinel queues them: its words
// ("sentinel" first), where it was ("file:line") and its text, for the error.
struct SentinelLine {
  std::vector<std::string> args;
  std::string where;
  std::string text;
};

// Applies `lines` in Sentinel's three passes (loadSentinelConfigFromQueue): first the
// options that must come before any monitor (myid, current-epoch, deny-scripts-reconfig,
// resolve-/announce-hostnames, announce-ip/port, sentinel-user/pass), then the `sentinel
// monitor` lines, then the per-master ones, so that the file's order does not matter.
// Throws SentinelConfigError "where: reason (>>> 'line')" at the first refused line.
void apply_sentinel_lines(SentinelFileConfig& config, const std::vector<SentinelLine>& lines);

// Applies the `sentinel resolve-hostnames|announce-hostnames` lines of `config.lines`:
// they decide how every address of the file is read, wherever they stand (Sentinel
// applies them before the monitor lines). Errors are left to the directive pass.
void apply_hostname_options_first(SentinelFileConfig& config);

// Applies one directive line to `config` at once (a `sentinel` line regardless of the
// passes); returns an error text in Redis's words ("" when accepted). Every redis-server
// directive is accepted (or refused) as redis-sentinel does; `dir` changes the working
// directory, as Redis's does.
std::string apply_sentinel_directive(SentinelFileConfig& config, std::vector<std::string> args);

// The sentinel-wide options that SENTINEL CONFIG GET/SET see, in Sentinel's order, and
// setting one (an error text in Sentinel's words, "" when done).
std::vector<std::pair<std::string, std::string>> sentinel_globals(const SentinelFileConfig& config);
std::string set_sentinel_global(SentinelFileConfig& config, std::string_view name,
                                std::string_view value);

// What Sentinel requires of a notification or client-reconfig script: a file we may
// execute (access(X_OK)).
bool is_executable_file(const std::string& path);

// Reads `path` as redis-sentinel does, then the command line's directives (`extra`, each
// a line's words) after it; throws SentinelConfigError with "path:line: reason (>>> 'line')".
SentinelFileConfig load_sentinel_config(const std::string& path,
                                        const std::vector<std::vector<std::string>>& extra = {});

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

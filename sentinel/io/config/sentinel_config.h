#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/systemd_notify.h"
#include "common/tls/tls_settings.h"
#include "protocol/config_rewrite.h"
#include "sentinel/config.h"
#include "sentinel/io/shell/shell_config.h"
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
  // tls-port and the tls-* directives, as redis-sentinel reads them: the sentinel port
  // over TLS, and with tls-replication yes every link too (its hellos then announce the
  // TLS port, as Sentinel's do).
  int tls_port = 0;
  tls::TlsSettings tls;
  // The command line's directives, applied after the file's lines (drop-in mode's SIGHUP
  // reads the file's tls-* lines again, then these).
  std::vector<std::vector<std::string>> command_line;
  std::string logfile;
  std::string pidfile;
  std::string loglevel = "notice";
  // syslog-enabled/-ident/-facility, as redis-sentinel reads them (checked by the
  // directive table).
  bool syslog_enabled = false;
  std::string syslog_ident = "redis";
  std::string syslog_facility = "local0";
  std::size_t maxclients = 10000;           // the sentinel port's, as Redis's default
  std::chrono::seconds tcp_keepalive{300};  // the sentinel port's, as Redis's default
  Supervised supervised = Supervised::kNo;  // `supervised systemd|auto`: READY=1 and so on
  bool daemonize = false;                   // `daemonize yes`: the process goes to the background
  bool deny_scripts_reconfig = true;        // SENTINEL SET may not change script paths
  std::vector<std::string> lines;           // the file as read (split_config_text), for the rewrite
  std::string path;                         // the file, made absolute before any `dir` moved us
  // Proxy mode: the group the client port serves. Chosen at start as the only group when
  // the file names none; the rewrite then writes `proxy-group` once a second group is
  // monitored, or the file would no longer say which one to serve at the next start.
  std::string served_group;
  // A drop-in sentinel.conf, rewritten as Redis rewrites one (its server options
  // normalized, unknown lines commented out); false for a proxy's own file, whose other
  // lines are the proxy's and are kept as they are.
  bool redis_file = true;
};

using protocol::split_config_text;

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

// The file's new text, as Sentinel's CONFIG REWRITE leaves it (sentinel_config_rewrite.cc):
// every option's lines written where its old lines were, in order, the rest appended
// after "# Generated by CONFIG REWRITE"; comments and the lines the rewrite does not own
// kept; the state (myid, epochs, known replicas and sentinels) among the options.
std::string render_sentinel_config(const SentinelFileConfig& config, const PersistedState& state,
                                   const std::vector<GroupConfig>& groups);

}  // namespace sp::sentinel::io

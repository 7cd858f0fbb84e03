#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proxy/config/config.h"

namespace sp::proxy {

// The proxy's settings as Redis's CONFIG sees a server's (README.md, "Running in
// production"): PROXY CONFIG GET|SET|REWRITE and SIGHUP's reload. Only some settings can
// change while clients are connected (limits, timeouts, loglevel, failover-hold-ms,
// fence-on-minority, protected-mode); the others show in GET and are refused by SET as
// Redis refuses an immutable config.

// How many clients the open files limit allows when `wanted` are asked for (raising it if
// it can): fit_maxclients_to_open_files for this process's mode.
using MaxClientsFit = std::function<std::uint32_t(std::uint32_t wanted)>;

// PROXY CONFIG GET <pattern> [<pattern> ...]: each setting whose name matches one of the
// patterns (Redis's glob, no regard to case), once, with its value as CONFIG GET shows it.
std::vector<std::pair<std::string, std::string>> config_get(
    const Config& config, std::span<const std::string_view> patterns);

// PROXY CONFIG SET <name> <value> [<name> <value> ...] on `config`: every pair applied or
// none. Returns "" or the error in Redis's words (without the leading '-').
std::string config_set(Config& config, std::span<const std::string_view> pairs,
                       const MaxClientsFit& fit);

// One setting the config file changed between two reads of it.
struct FileChange {
  std::string name;
  std::string before;
  std::string after;
  bool live = false;  // applied now; otherwise it applies at the next start
};

// SIGHUP: what the file (and the command line after it) changed between `before` and
// `after`, two reads of it. A setting changed since at run time (PROXY CONFIG SET) and not
// in the file keeps its value: reopening logs (logrotate sends SIGHUP) must not undo it.
std::vector<FileChange> file_changes(const Config& before, const Config& after);

// Applies the live ones of `changes` to `config`; returns "" or why one was refused.
std::string apply_file_changes(Config& config, const std::vector<FileChange>& changes,
                               const MaxClientsFit& fit);

// PROXY CONFIG REWRITE: the file's new text, its `lines` (as read now) with each live
// setting written where its line was, or appended when it is not the default; comments and
// every other line kept.
std::string render_proxy_config(const std::vector<std::string>& lines, const Config& config);

}  // namespace sp::proxy

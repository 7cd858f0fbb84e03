#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/systemd_notify.h"
#include "common/tls/tls_settings.h"
#include "proxy/admin/proxy_access.h"

namespace sp::proxy {

// Redis's log levels, with Redis's names.
enum class LogLevel { kDebug, kVerbose, kNotice, kWarning, kNothing };
std::string_view to_string(LogLevel level);

// `client-output-buffer-limit normal <hard> <soft> <soft-seconds>`, Redis's semantics applied
// to the reply bytes the proxy holds for one client: over `hard`, or over `soft` for
// `soft_seconds` in a row, and the client is closed. 0 disables a limit.
struct OutputBufferLimit {
  std::uint64_t hard = 0;
  std::uint64_t soft = 0;
  std::chrono::seconds soft_seconds{0};
};

// Everything start-up reads from the config file and the command line. Defaults are the
// ones documented in conf/sentinel-proxy.conf (Redis's where Redis has the directive).
struct Config {
  std::vector<std::string> bind{"127.0.0.1"};
  std::uint16_t port = 26380;  // 0: no port in the clear (tls-port only)
  // TLS (README.md, "TLS"): tls-port serves clients over TLS beside `port`; the tls-*
  // directives are Redis's, and tls-replication yes makes the links to Redis (the master
  // and the sentinels followed or peered with) TLS too.
  std::uint16_t tls_port = 0;
  tls::TlsSettings tls;
  std::string upstream_host = "127.0.0.1";
  std::uint16_t upstream_port = 6379;
  std::string group_name = "mymaster";
  int io_threads = 1;
  std::string metrics_bind = "127.0.0.1";
  std::uint16_t metrics_port = 9380;  // 0: no metrics endpoint
  std::uint32_t maxclients = 10000;
  std::chrono::seconds timeout{0};  // idle client timeout, 0: never
  // TCP keepalive on client and master connections, as Redis's (0: off): a peer gone
  // without a FIN is found after about this long plus two more probes.
  std::chrono::seconds tcp_keepalive{300};
  std::chrono::milliseconds connect_timeout{2000};
  // backend-pool-size: 0 (the default), each client has its own connection to the master;
  // n > 0, each worker shares n connections to the master among its clients' stateless
  // commands, and a client gets its own connection once a command binds state to it
  // (README.md, "Pooled mode").
  std::uint32_t backend_pool_size = 0;
  // Set when a sentinel (inside, or followed) names the master: sessions verify a new
  // master with ROLE, move to it at a failover with their state, and hold commands while
  // there is no master, for up to hold(): `failover_hold` (-1: the group's
  // failover-timeout, as the sentinel said at start; 0: no holding, commands fail at once
  // as without a sentinel).
  bool sentinel_managed = false;
  std::chrono::milliseconds failover_hold{-1};
  std::chrono::milliseconds group_failover_timeout{0};
  std::chrono::milliseconds hold() const {
    return failover_hold.count() < 0 ? group_failover_timeout : failover_hold;
  }
  // fence-on-minority yes: refuse writes while the sentinel inside cannot reach a majority
  // of its group's sentinels (README.md, "Failover as your clients see it").
  bool fence_on_minority = false;
  // write-durability replica: a write's reply reaches the client only once
  // `write_durability_replicas` replicas have the write (a WAIT behind it, for up to
  // write-durability-timeout); unconfirmed in time, the client gets -NOREPLICAS instead
  // (README.md, "Durability mode"). async: as Redis.
  bool write_durability = false;
  std::uint32_t write_durability_replicas = 1;
  std::chrono::milliseconds write_durability_timeout{1500};
  std::uint64_t client_query_buffer_limit = 1024ULL * 1024 * 1024;
  OutputBufferLimit client_output_buffer_limit;
  std::int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  int tcp_backlog = 511;
  LogLevel loglevel = LogLevel::kNotice;
  std::string logfile;  // empty: standard output
  // syslog-enabled yes: every line goes to syslog too, as Redis's, under `syslog_ident`
  // with `syslog_facility` (user, local0 ... local7).
  bool syslog_enabled = false;
  std::string syslog_ident = "sentinel-proxy";
  std::string syslog_facility = "local0";
  std::string pidfile;
  // `daemonize yes`: the process goes to the background (not when supervised by systemd,
  // as Redis), and leaves its pid in `pidfile` (/var/run/sentinel-proxy.pid if unset).
  bool daemonize = false;
  // `supervised systemd` (or `auto` under systemd): READY=1 once the ports listen, STATUS=
  // at each new master, STOPPING=1 at the drain (Type=notify units).
  Supervised supervised = Supervised::kNo;
  // The in-process sentinel: `sentinel ...` lines (as in sentinel.conf), its port (0: off)
  // and the monitored group whose master the client port serves (needed with several).
  std::vector<std::vector<std::string>> sentinel_directives;
  std::uint16_t sentinel_port = 26379;
  std::uint16_t sentinel_tls_port = 0;  // the sentinel port over TLS (tls-* settings)
  std::string proxy_group;
  // Follow mode: no sentinel inside; the master is the one these existing sentinels name
  // for `follow_name` (`sentinel-follow <name> <host:port> ...`), asked with the optional
  // AUTH credentials. `upstream_given` tells the explicit `upstream` from its default.
  std::string follow_name;
  std::vector<std::string> follow_sentinels;  // "host:port", in the order to ask them
  std::string follow_user;
  std::string follow_pass;
  bool upstream_given = false;
  // Security (README.md): the names of PROXY and its subcommands (rename-command), and
  // protected mode: while the master demands no authentication, clients from other hosts
  // than this one are refused with Redis's DENIED text.
  ProxyCommandNames proxy_commands;
  bool protected_mode = true;
  // Where the settings came from, for SIGHUP's reload and PROXY CONFIG REWRITE: the file
  // (absolute, "" when none) and the command line's directives, applied after it.
  std::string config_file;
  std::string command_line;
  // `dir` moves the process: false when the file is read again for a reload, since it is
  // there already (a relative `dir` would move it further).
  bool change_directory = true;
};

}  // namespace sp::proxy

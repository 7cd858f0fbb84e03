#!/usr/bin/env bash
# Side by side on loopback, in front of one redis-server: direct Redis, sentinel-proxy in
# both backend modes (a master connection per client, and pooled: backend-pool-size),
# HAProxy (tcp mode) and twemproxy (nutcracker). Measures with redis-benchmark
#   - throughput (SET and GET) for `-c 50 -P 1`, `-c 50 -P 16`, `-c 1` and `-c 1000 -P 1`,
#     plus the p50 latency for `-c 1`; medians over ROUNDS rounds and the ratio to direct;
#   - CPU seconds per million commands of the process in the middle (and of Redis);
#   - memory: the RSS a fresh sentinel-proxy gains per idle client connection, in both
#     modes (pooled: as many idle clients as the descriptor limit allows).
# Within a round every target runs every workload once, in an order that rotates from
# round to round, so that a machine getting busier or quieter during the run (another
# build, thermal throttling) affects all targets alike instead of the last one.
#
#   bench/proxy_bench.sh [path/to/sentinel-proxy]          (default: build/sentinel-proxy)
#
# Environment (defaults in brackets; the defaults take about 6-7 minutes on 2 cores):
#   ROUNDS [5]            rounds of every workload on every target
#   SCALE [1]             multiplies every request count (SCALE=0.05 for a smoke run)
#   N [100000*SCALE]      requests per test for -c 50 -P 1 (-P 16 runs 4x as many)
#   N_LATENCY [20000*SCALE] requests per test for -c 1
#   IO_THREADS [1]        sentinel-proxy's io-threads
#   POOL_SIZE [1]         the pooled target's backend-pool-size
#   HAPROXY_THREADS [IO_THREADS] HAProxy's nbthread (twemproxy has one thread)
#   CONNECTIONS [10000]   idle connections for the memory test of the default mode (0: skip
#                         both memory tests)
#   POOLED_CONNECTIONS [19000] idle connections for the pooled mode's memory test
#   MEMORY_ONLY=1         only the memory test
#   KEEP_BENCH_DIR=1      keep the temp dir (configs, logs, raw redis-benchmark CSV)
set -euo pipefail
cd "$(dirname "$0")/.."

proxy_binary=$(realpath "${1:-build/sentinel-proxy}")
rounds=${ROUNDS:-5}
scale=${SCALE:-1}
scaled() { awk -v n="$1" -v s="$scale" 'BEGIN { v = int(n * s); print (v < 100 ? 100 : v) }'; }
n=${N:-$(scaled 100000)}
n_pipeline=$((n * 4))
n_latency=${N_LATENCY:-$(scaled 20000)}
io_threads=${IO_THREADS:-1}
pool_size=${POOL_SIZE:-1}
haproxy_threads=${HAPROXY_THREADS:-$io_threads}
idle_connections=${CONNECTIONS:-10000}
pooled_idle_connections=${POOLED_CONNECTIONS:-19000}
[ -n "${MEMORY_ONLY:-}" ] && rounds=0

# --- tools: Debian packages, installed only when missing --------------------------------
need=()
for pair in redis-server:redis-server redis-benchmark:redis-tools redis-cli:redis-tools \
            haproxy:haproxy nutcracker:nutcracker python3:python3; do
  command -v "${pair%%:*}" >/dev/null || need+=("${pair##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  apt-get update -qq
  # shellcheck disable=SC2046  # one word per package name
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(printf '%s\n' "${need[@]}" | sort -u)
fi
# Debian's interpreter when there is one: only the standard library is used, and a
# pyenv or venv shim on PATH would add start-up time to every free_port call.
python=/usr/bin/python3
[ -x "$python" ] || python=$(command -v python3)
[ -x "$proxy_binary" ] || { echo "no proxy binary at $proxy_binary (build it first)" >&2; exit 1; }

# --- processes: everything we start is recorded and killed by pid on exit ----------------
bench_pid=""   # the redis-benchmark (under timeout) running now, if any
dir_prefix=proxy-bench
# shellcheck source=bench/bench_lib.sh
source bench/bench_lib.sh
bench_setup

# The memory test needs about 2 descriptors per idle connection in the proxy (client and
# backend socket), 1 in the client script and 1 in Redis. Raise the soft limit as far as
# the hard limit allows; where the hard limit is lower (a container), measure fewer
# connections and say so: the figure is per connection anyway.
# The proxy keeps 64 descriptors in reserve and lowers its maxclients to what fits (as
# Redis does), so stay a little below that: the script's own probes are clients too.
# In pooled mode an idle client takes one descriptor in the proxy, one in the client script
# (another process) and none in Redis.
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ $((2 * idle_connections + 128)) -gt "$hard" ]; then
  idle_connections=$(((hard - 128) / 2))
  echo "note: open-file hard limit is $hard: measuring $idle_connections idle connections" >&2
fi
if [ "$hard" != unlimited ] && [ $((pooled_idle_connections + 128)) -gt "$hard" ]; then
  pooled_idle_connections=$((hard - 128))
  echo "note: open-file hard limit is $hard: measuring $pooled_idle_connections idle" \
       "connections in pooled mode" >&2
fi
if [ "$hard" = unlimited ]; then
  ulimit -n $((2 * idle_connections + pooled_idle_connections + 1024))
else
  ulimit -n "$hard"
fi

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
  --dir "$dir" --logfile "$dir/redis.log" --maxclients $((idle_connections + 1000)) &
redis_pid=$!
pids+=("$redis_pid")
wait_for_port "$redis_port"

# Metrics on: that is how the proxy runs in production (counters are kept either way).
proxy_port=$(free_port)
metrics_port=$(free_port)
"$proxy_binary" --port "$proxy_port" --upstream 127.0.0.1 "$redis_port" \
  --metrics-port "$metrics_port" --io-threads "$io_threads" --logfile "$dir/proxy.log" &
proxy_pid=$!
pids+=("$proxy_pid")
wait_for_port "$proxy_port"

pooled_port=$(free_port)
pooled_metrics_port=$(free_port)
"$proxy_binary" --port "$pooled_port" --upstream 127.0.0.1 "$redis_port" \
  --metrics-port "$pooled_metrics_port" --io-threads "$io_threads" \
  --backend-pool-size "$pool_size" \
  --logfile "$dir/pooled.log" &
pooled_pid=$!
pids+=("$pooled_pid")
wait_for_port "$pooled_port"

haproxy_port=$(free_port)
cat >"$dir/haproxy.cfg" <<CFG
global
  maxconn 4096
  nbthread $haproxy_threads
defaults
  mode tcp
  timeout connect 5s
  timeout client 1h
  timeout server 1h
frontend redis_in
  bind 127.0.0.1:$haproxy_port
  default_backend redis
backend redis
  server r1 127.0.0.1:$redis_port
CFG
haproxy -f "$dir/haproxy.cfg" -db >"$dir/haproxy.log" 2>&1 &   # -db: foreground, one pid
haproxy_pid=$!
pids+=("$haproxy_pid")
wait_for_port "$haproxy_port"

# twemproxy multiplexes all clients over server_connections to Redis (its design) and
# supports only the commands it can shard: SET and GET are fine; FLUSHALL, INFO, CONFIG,
# MULTI, ... make it close the client connection. redis-benchmark's start-up CONFIG GET
# fails through it ("WARNING: Could not fetch server CONFIG"), which is harmless.
twemproxy_port=$(free_port)
cat >"$dir/nutcracker.yml" <<CFG
bench:
  listen: 127.0.0.1:$twemproxy_port
  redis: true
  hash: fnv1a_64
  distribution: ketama
  auto_eject_hosts: false
  server_connections: 1
  servers:
    - 127.0.0.1:$redis_port:1
CFG
nutcracker -c "$dir/nutcracker.yml" -s "$(free_port)" -a 127.0.0.1 \
  -o "$dir/nutcracker.log" &   # no -d: stays in the foreground, so $! is its pid
twemproxy_pid=$!
pids+=("$twemproxy_pid")
wait_for_port "$twemproxy_port"

declare -A port_of=([direct]=$redis_port [sentinel-proxy]=$proxy_port [pooled]=$pooled_port
                    [haproxy]=$haproxy_port [twemproxy]=$twemproxy_port)
declare -A pid_of=([direct]=0 [sentinel-proxy]=$proxy_pid [pooled]=$pooled_pid
                   [haproxy]=$haproxy_pid [twemproxy]=$twemproxy_pid)
targets=(direct sentinel-proxy pooled haproxy twemproxy)
workloads=("c50-P1:-c 50 -P 1 -n $n" "c50-P16:-c 50 -P 16 -n $n_pipeline"
           "c1:-c 1 -P 1 -n $n_latency" "c1000-P1:-c 1000 -P 1 -n $n")

cpu_ticks() {  # utime + stime of a whole process (all threads), in clock ticks
  if [ "$1" -eq 0 ]; then echo 0; else awk '{print $14 + $15}' "/proc/$1/stat"; fi
}

echo "sentinel-proxy $("$proxy_binary" --version | awk '{print $2}') (io-threads $io_threads;" \
     "pooled: backend-pool-size $pool_size)," \
     "HAProxy $(haproxy -v | awk 'NR==1 {print $3}') (nbthread $haproxy_threads)," \
     "twemproxy $(nutcracker -V 2>&1 | awk 'NR==1 {print $NF}' | sed 's/^nutcracker-//')," \
     "redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/')," \
     "redis-benchmark -t set,get"
echo "$(nproc) cores; $rounds rounds; -n $n (-c 50 -P 1, -c 1000 -P 1)," \
     "$n_pipeline (-c 50 -P 16), $n_latency (-c 1)"

# --- throughput, latency and CPU ---------------------------------------------------------
# One row per run in runs.csv; redis-benchmark's own CSV (test, rps, avg, min, p50, p95,
# p99, max latency in ms) is kept per run in the temp dir and read by the report below.
echo "round,workload,target,requests,middle_ticks,redis_ticks,csv" >"$dir/runs.csv"
start=$SECONDS
for round in $(seq 1 "$rounds"); do
  shift_by=$(((round - 1) % ${#targets[@]}))
  order=("${targets[@]:shift_by}" "${targets[@]:0:shift_by}")
  for workload in "${workloads[@]}"; do
    name=${workload%%:*}
    args=${workload#*:}
    requests=${args##* }
    for target in "${order[@]}"; do
      redis-cli -p "$redis_port" flushall >/dev/null   # same dataset size for everyone
      csv="$dir/r$round-$name-$target.csv"
      middle_before=$(cpu_ticks "${pid_of[$target]}")
      redis_before=$(cpu_ticks "$redis_pid")
      # In the background and waited for: bash runs a trap for Ctrl-C or kill at once
      # during `wait`, but only after a foreground child exits, and redis-benchmark never
      # exits by itself when its server is gone (it reconnects forever); hence the
      # timeout too.
      # shellcheck disable=SC2086  # $args is a list of flags
      timeout 600 redis-benchmark -p "${port_of[$target]}" -t set,get $args --csv \
        >"$csv" 2>"$csv.err" &
      bench_pid=$!
      if ! wait "$bench_pid"; then
        echo "redis-benchmark failed or timed out against $target ($args):" >&2
        cat "$csv.err" >&2
        exit 1
      fi
      bench_pid=""
      middle_after=$(cpu_ticks "${pid_of[$target]}")
      redis_after=$(cpu_ticks "$redis_pid")
      echo "$round,$name,$target,$requests,$((middle_after - middle_before))," \
           "$((redis_after - redis_before)),$csv" | tr -d ' ' >>"$dir/runs.csv"
    done
  done
  echo "round $round/$rounds done ($((SECONDS - start)) s)" >&2
done

if [ "$rounds" -gt 0 ]; then
  "$python" - "$dir/runs.csv" "$(getconf CLK_TCK)" <<'PY'
import csv, statistics, sys
from collections import defaultdict

runs_path, clk = sys.argv[1], int(sys.argv[2])
targets = ["direct", "sentinel-proxy", "pooled", "haproxy", "twemproxy"]
workloads = [("c50-P1", "-c 50 -P 1"), ("c50-P16", "-c 50 -P 16"), ("c1", "-c 1"),
             ("c1000-P1", "-c 1000 -P 1")]
rps, p50 = defaultdict(list), defaultdict(list)
ticks = defaultdict(int)          # (workload, target, "middle"/"redis") -> clock ticks
commands = defaultdict(int)       # (workload, target) -> commands served
for run in csv.DictReader(open(runs_path)):
    w, t = run["workload"], run["target"]
    for row in csv.DictReader(open(run["csv"])):
        rps[(w, t, row["test"])].append(float(row["rps"]))
        p50[(w, t, row["test"])].append(float(row["p50_latency_ms"]))
    ticks[(w, t, "middle")] += int(run["middle_ticks"])
    ticks[(w, t, "redis")] += int(run["redis_ticks"])
    commands[(w, t)] += 2 * int(run["requests"])   # SET and GET, each -n requests

def k(v):
    return f"{v / 1000:.1f}k"

print()
print("Requests per second, median over rounds, and the ratio to direct Redis"
      " (-c 1: also the median p50 latency):")
print()
print("| workload | test | " + " | ".join(targets) + " |")
print("|---|---|" + "---|" * len(targets))
for w, label in workloads:
    for test in ["SET", "GET"]:
        base = statistics.median(rps[(w, "direct", test)])
        cells = []
        for t in targets:
            v = statistics.median(rps[(w, t, test)])
            cell = k(v) if t == "direct" else f"{k(v)} {v / base:.2f}x"
            if w == "c1":
                cell += f", p50 {statistics.median(p50[(w, t, test)]) * 1000:.0f} us"
            cells.append(cell)
        print(f"| `{label}` | {test} | " + " | ".join(cells) + " |")

def cpu(w_list, t, who):
    served = sum(commands[(w, t)] for w in w_list)
    return sum(ticks[(w, t, who)] for w in w_list) / clk / served * 1e6

names = [w for w, _ in workloads]
print()
print("CPU seconds per million commands (utime+stime from /proc/<pid>/stat around each"
      " target's runs;")
print("10 ms tick resolution, so short runs are coarse; \"all runs\" is weighted by commands,")
print("so the pipelined workload dominates it):")
print()
print("| process | target | " + " | ".join(f"`{l}`" for _, l in workloads) + " | all runs |")
print("|---|---|" + "---|" * (len(workloads) + 1))
for t in targets[1:]:
    cells = [f"{cpu([w], t, 'middle'):.2f}" for w in names] + [f"{cpu(names, t, 'middle'):.2f}"]
    print(f"| {t} | {t} | " + " | ".join(cells) + " |")
for t in targets:
    cells = [f"{cpu([w], t, 'redis'):.2f}" for w in names] + [f"{cpu(names, t, 'redis'):.2f}"]
    print(f"| redis-server | via {t} | " + " | ".join(cells) + " |")
PY

  # The proxy's own view, as Prometheus would scrape it: every command answered, none
  # with an error (nutcracker's and HAProxy's runs do not pass through it).
  "$python" - "$metrics_port" "$pooled_metrics_port" <<'PY'
import re, sys, urllib.request
for label, port in (("sentinel-proxy", sys.argv[1]), ("pooled", sys.argv[2])):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    total = {"ok": 0.0, "error": 0.0}
    for m in re.finditer(r'^sentinel_proxy_commands_total\{[^}]*result="(\w+)"[^}]*\} (\S+)$',
                         text, re.M):
        total[m.group(1)] += float(m.group(2))
    print(f"\n{label} /metrics: {total['ok']:.0f} commands ok, {total['error']:.0f} errors",
          end="")
print()
PY
fi

# --- memory per idle connection ----------------------------------------------------------
# A fresh proxy, so that heap the benchmark freed cannot be reused by the new connections
# and hide their cost. Each connection sends PING and reads +PONG, so it was accepted and
# its session connected to Redis; PROXY INFO and Redis's INFO confirm the counts.
measure_idle() {  # <label> <connections> [proxy flags...]
  local label=$1 count=$2
  shift 2
  local mem_port
  mem_port=$(free_port)
  "$proxy_binary" --port "$mem_port" --upstream 127.0.0.1 "$redis_port" --metrics-port 0 \
    --io-threads "$io_threads" --maxclients $((count + 100)) \
    --logfile "$dir/proxy-memory-$label.log" "$@" &
  local mem_pid=$!
  pids+=("$mem_pid")
  wait_for_port "$mem_port"
  redis-cli -p "$mem_port" ping >/dev/null   # warm-up: first session, threads, allocator
  "$python" - "$mem_port" "$count" "$mem_pid" "$redis_port" "$label" <<'PY'
import socket, sys, time

port, count, pid, redis_port = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
label = sys.argv[5]

def rss_kib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1])

def open_files():
    import os
    return len(os.listdir(f"/proc/{pid}/fd"))

def command(port, *args):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
    data = b""
    while b"\r\n" not in data:
        data += s.recv(65536)
    header, _, body = data.partition(b"\r\n")
    assert header.startswith(b"$"), header   # a bulk string: $<length>, then the text
    while len(body) < int(header[1:]) + 2:
        body += s.recv(65536)
    s.close()
    return body.decode(errors="replace")

def field(info, name):
    for line in info.splitlines():
        if line.startswith(name + ":"):
            return int(line.split(":")[1])

time.sleep(0.5)
before, files_before = rss_kib(), open_files()
socks = []
# In batches: the proxy opens a Redis connection per session (in the default mode), and a
# burst of thousands at once would overflow Redis's accept backlog (tcp-backlog 511).
for start in range(0, count, 250):
    batch = [socket.create_connection(("127.0.0.1", port)) for _ in range(min(250, count - start))]
    for s in batch:
        s.sendall(b"PING\r\n")
    for s in batch:
        reply = s.recv(64)
        assert reply == b"+PONG\r\n", reply
    socks += batch
time.sleep(0.5)
after, files_after = rss_kib(), open_files()
proxy_clients = field(command(port, b"PROXY", b"INFO"), "connected_clients")
redis_clients = field(command(redis_port, b"INFO", b"clients"), "connected_clients")
print(f"\nIdle connections, {label}: {len(socks)} opened (each answered PING); PROXY INFO"
      f" connected_clients {proxy_clients} (these + the INFO one), Redis connected_clients"
      f" {redis_clients}.")
print(f"Proxy RSS {before} KiB -> {after} KiB: {(after - before) / len(socks):.2f} KiB per"
      f" connection; open descriptors {files_before} -> {files_after}:"
      f" {(files_after - files_before) / len(socks):.2f} per connection.")
PY
  kill "$mem_pid"
  wait "$mem_pid" 2>/dev/null || true
}

if [ "$idle_connections" -gt 0 ]; then
  measure_idle default "$idle_connections"
  measure_idle pooled "$pooled_idle_connections" --backend-pool-size "$pool_size"
fi

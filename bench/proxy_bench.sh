#!/usr/bin/env bash
# Side-by-side throughput, latency, CPU and memory: direct redis-server vs sentinel-proxy
# vs HAProxy (tcp mode) vs twemproxy (nutcracker), all on loopback in front of one
# redis-server, with redis-benchmark. Rounds are interleaved (every target once per
# workload per round) so that a machine that gets busier or quieter during the run
# affects every target alike; the table shows medians over rounds and ratios to direct.
#
#   bench/proxy_bench.sh [path/to/sentinel-proxy]
#   ROUNDS=5 N=200000 N_LATENCY=20000 IO_THREADS=1 CONNECTIONS=10000 bench/proxy_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

proxy_binary=${1:-build/sentinel-proxy}
rounds=${ROUNDS:-5}
n=${N:-200000}                  # requests per test for the -c 50 workloads
n_latency=${N_LATENCY:-20000}   # requests per test for -c 1
io_threads=${IO_THREADS:-1}
idle_connections=${CONNECTIONS:-10000}
python=/usr/bin/python3         # Debian's, whatever python3 comes first on PATH

need=()
for pair in redis-server:redis-server redis-benchmark:redis-tools haproxy:haproxy \
            nutcracker:nutcracker; do
  command -v "${pair%%:*}" >/dev/null || need+=("${pair##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need[@]}"
fi
[ -x "$proxy_binary" ] || { echo "no proxy binary at $proxy_binary (build it first)" >&2; exit 1; }

dir=$(mktemp -d /tmp/proxy-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP_BENCH_DIR:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT INT TERM

free_port() {
  "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_for() {
  for _ in $(seq 1 200); do
    redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "nothing answers on port $1; see $dir" >&2
  exit 1
}

# Enough descriptors for the idle-connection test: the proxy (which inherits the limit)
# holds a client and a backend socket per connection. Where the hard limit is lower (a
# container), fewer connections are opened and the table says how many.
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ $((2 * idle_connections + 1024)) -gt "$hard" ]; then
  idle_connections=$(((hard - 1024) / 2))
  echo "note: open-file hard limit $hard: measuring $idle_connections idle connections" >&2
fi
ulimit -n $((2 * idle_connections + 1024))

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
  --dir "$dir" --logfile "$dir/redis.log" --maxclients $((idle_connections + 1000)) &
pids+=($!)
wait_for "$redis_port"

proxy_port=$(free_port)
"$proxy_binary" --port "$proxy_port" --upstream 127.0.0.1 "$redis_port" --metrics-port 0 \
  --io-threads "$io_threads" --maxclients $((idle_connections + 100)) \
  --logfile "$dir/proxy.log" &
proxy_pid=$!
pids+=($proxy_pid)
wait_for "$proxy_port"

haproxy_port=$(free_port)
cat >"$dir/haproxy.cfg" <<CFG
global
  maxconn 1000
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
haproxy -f "$dir/haproxy.cfg" -db >"$dir/haproxy.log" 2>&1 &
haproxy_pid=$!
pids+=($haproxy_pid)
wait_for "$haproxy_port"

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
nutcracker -c "$dir/nutcracker.yml" -s "$(free_port)" -a 127.0.0.1 -p "$dir/nutcracker.pid" \
  -o "$dir/nutcracker.log" &
twemproxy_pid=$!
pids+=($twemproxy_pid)
wait_for "$twemproxy_port"

declare -A port_of=([direct]=$redis_port [sentinel-proxy]=$proxy_port [haproxy]=$haproxy_port
                    [twemproxy]=$twemproxy_port)
declare -A pid_of=([direct]=0 [sentinel-proxy]=$proxy_pid [haproxy]=$haproxy_pid
                   [twemproxy]=$twemproxy_pid)
targets=(direct sentinel-proxy haproxy twemproxy)
workloads=("c50-P1:-c 50 -P 1 -n $n" "c50-P16:-c 50 -P 16 -n $((n * 4))"
           "c1:-c 1 -P 1 -n $n_latency")

cpu_ticks() {  # utime + stime of a process, in clock ticks
  [ "$1" -eq 0 ] && { echo 0; return; }
  awk '{print $14 + $15}' "/proc/$1/stat"
}

results="$dir/results.csv"
echo "round,workload,target,test,rps,p50_ms,cpu_ticks,requests" >"$results"
echo "sentinel-proxy $("$proxy_binary" --version | awk '{print $2}') (io-threads $io_threads)," \
     "$(haproxy -v | head -1 | awk '{print $1, $3}'), $(nutcracker -V 2>&1 | head -1)," \
     "redis-server $(redis-server --version | awk '{print $3}' | cut -d= -f2)"
echo "$(nproc) cores; $rounds rounds; -n $n (P1), $((n * 4)) (P16), $n_latency (c1)"
[ -n "${MEMORY_ONLY:-}" ] && rounds=0
for round in $(seq 1 "$rounds"); do
  for workload in "${workloads[@]}"; do
    name=${workload%%:*}
    args=${workload#*:}
    requests=$(echo "$args" | awk '{print $NF}')
    for target in "${targets[@]}"; do
      redis-cli -p "$redis_port" flushall >/dev/null
      before=$(cpu_ticks "${pid_of[$target]}")
      # shellcheck disable=SC2086
      out=$(redis-benchmark -p "${port_of[$target]}" -t set,get $args --csv 2>/dev/null)
      after=$(cpu_ticks "${pid_of[$target]}")
      echo "$out" | tail -n +2 | tr -d '"' | while IFS=, read -r test rps _avg _min p50 _rest; do
        echo "$round,$name,$target,$test,$rps,$p50,$(((after - before) / 2)),$requests"
      done >>"$results"
    done
  done
  echo "round $round/$rounds done" >&2
done

[ "$rounds" -gt 0 ] && "$python" - "$results" "$(getconf CLK_TCK)" <<'PY'
import csv, statistics, sys
from collections import defaultdict
path, clk = sys.argv[1], int(sys.argv[2])
rows = list(csv.DictReader(open(path)))
rps, p50 = defaultdict(list), defaultdict(list)
cpu, served = defaultdict(int), defaultdict(int)
for r in rows:
    key = (r["workload"], r["target"], r["test"])
    rps[key].append(float(r["rps"]))
    p50[key].append(float(r["p50_ms"]))
    # cpu_ticks was recorded once per (round, workload, target) on both SET and GET rows,
    # each carrying half of it; requests counts one test.
    cpu[r["target"]] += int(r["cpu_ticks"])
    served[r["target"]] += int(r["requests"])
targets = ["direct", "sentinel-proxy", "haproxy", "twemproxy"]
print()
print(f"{'workload':9} {'test':4} " + " ".join(f"{t:>22}" for t in targets))
for workload in ["c50-P1", "c50-P16", "c1"]:
    for test in ["SET", "GET"]:
        base = statistics.median(rps[(workload, "direct", test)])
        cells = []
        for t in targets:
            v = statistics.median(rps[(workload, t, test)])
            cell = f"{v/1000:8.1f}k {v/base:4.2f}x"
            if workload == "c1":
                cell += f" p50 {statistics.median(p50[(workload, t, test)])*1000:4.0f}us"
            cells.append(f"{cell:>22}")
        print(f"{workload:9} {test:4} " + " ".join(cells))
print()
print("CPU seconds per million commands (utime+stime of the middle process):")
for t in targets[1:]:
    print(f"  {t:15} {cpu[t] / clk / served[t] * 1e6:6.2f} s")
PY

# Idle connections: the proxy's RSS before and after opening them (each answers a PING,
# so every connection is accepted and has a session).
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
rss_before=$(rss_kib "$proxy_pid")
"$python" - "$proxy_port" "$idle_connections" "$proxy_pid" "$dir/rss_after" <<'PY'
import socket, sys
port, count, pid, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
socks = []
# In batches, so that the proxy's connections to Redis do not overflow Redis's accept
# backlog (tcp-backlog 511) all at once.
for start in range(0, count, 200):
    batch = []
    for _ in range(min(200, count - start)):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"PING\r\n")
        batch.append(s)
    for s in batch:
        reply = s.recv(256)
        assert reply == b"+PONG\r\n", reply
    socks += batch
rss = [l for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS")][0].split()[1]
open(out, "w").write(rss)
PY
rss_after=$(cat "$dir/rss_after")

echo
echo "$idle_connections idle connections: proxy RSS $rss_before KiB -> $rss_after KiB," \
  "$(( (rss_after - rss_before) * 100 / idle_connections / 100 )).$(( (rss_after - rss_before) * 100 / idle_connections % 100 )) KiB per connection (target < 10 KiB)"

#!/usr/bin/env bash
# The cost of write-durability, side by side on loopback in one run: redis-benchmark
# (SET and INCR: every request a write) against
#   direct        the master itself (which has two replicas)
#   async         sentinel-proxy, write-durability async (the default)
#   replica       sentinel-proxy, write-durability replica (a replica confirms each run of
#                 writes before the replies leave)
#   all           the same with write-durability-replicas 2 (both replicas)
#   pooled        sentinel-proxy in pooled mode (backend-pool-size 1), async
#   pooled-replica  the same with write-durability replica
# for `-c 50 -P 1` and `-c 50 -P 16`: medians over ROUNDS rounds of throughput, p50 and p99
# latency, targets in an order that rotates from round to round, and the ratio of each to
# async (pooled-replica's also to pooled).
#
#   bench/durability_bench.sh [path/to/sentinel-proxy]      (default: build/sentinel-proxy)
#
# Environment: ROUNDS [5], SCALE [1] (multiplies request counts; 0.05 for a smoke run),
# KEEP_BENCH_DIR=1.
set -euo pipefail
cd "$(dirname "$0")/.."

proxy_binary=$(realpath "${1:-build/sentinel-proxy}")
rounds=${ROUNDS:-5}
scale=${SCALE:-1}
scaled() { awk -v n="$1" -v s="$scale" 'BEGIN { v = int(n * s); print (v < 100 ? 100 : v) }'; }
n=$(scaled 100000)
n_pipeline=$((n * 4))
python=/usr/bin/python3
[ -x "$proxy_binary" ] || { echo "no proxy binary at $proxy_binary (build it first)" >&2; exit 1; }
for tool in redis-server redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null || { echo "needs $tool (scripts/install-deps.sh)" >&2; exit 1; }
done

dir_prefix=durability-bench
# shellcheck source=bench/bench_lib.sh
source bench/bench_lib.sh
bench_setup

# --- a master, two replicas, four proxies ------------------------------------------------
start_redis() {  # port name [args...]
  local port=$1 name=$2
  shift 2
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
    --repl-diskless-sync-delay 0 --logfile "$dir/$name.log" "$@" &
  pids+=($!)
  wait_for_port "$port"
}
master_port=$(free_port)
start_redis "$master_port" master
for i in 1 2; do
  start_redis "$(free_port)" "replica$i" --replicaof 127.0.0.1 "$master_port"
done
for _ in $(seq 1 200); do
  [ "$(redis-cli -p "$master_port" info replication | grep -c 'state=online')" = 2 ] && break
  sleep 0.05
done

declare -A port_of=([direct]=$master_port)
start_proxy() {  # name [directives...]
  local name=$1 port
  shift
  port=$(free_port)
  "$proxy_binary" --port "$port" --upstream 127.0.0.1 "$master_port" --metrics-port 0 \
    --logfile "$dir/$name.log" "$@" &
  pids+=($!)
  wait_for_port "$port"
  port_of[$name]=$port
}
start_proxy async
start_proxy replica --write-durability replica
start_proxy all --write-durability replica --write-durability-replicas 2
start_proxy pooled --backend-pool-size 1
start_proxy pooled-replica --write-durability replica --backend-pool-size 1

targets=(direct async replica all pooled pooled-replica)
workloads=("c50-P1:-c 50 -P 1 -n $n" "c50-P16:-c 50 -P 16 -n $n_pipeline")

echo "sentinel-proxy $("$proxy_binary" --version | awk '{print $2}')," \
     "redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/') with 2 replicas;" \
     "redis-benchmark -t set,incr"
echo "$(nproc) cores; $rounds rounds; -n $n (-c 50 -P 1), $n_pipeline (-c 50 -P 16)"

bench_rounds set,incr
# Every write answered +OK was confirmed: none was refused while the replicas were up.
for target in replica all pooled-replica; do
  echo "$target: $(redis-cli -p "${port_of[$target]}" proxy info |
                   grep -E '^(durability_waits|writes_unconfirmed):' | tr -d '\r' | tr '\n' ' ')"
done

"$python" - "$dir/runs.csv" <<'PY'
import csv, statistics, sys
from collections import defaultdict

targets = ["direct", "async", "replica", "all", "pooled", "pooled-replica"]
workloads = [("c50-P1", "-c 50 -P 1"), ("c50-P16", "-c 50 -P 16")]
rps, p50, p99 = defaultdict(list), defaultdict(list), defaultdict(list)
for run in csv.DictReader(open(sys.argv[1])):
    for row in csv.DictReader(open(run["csv"])):
        key = (run["workload"], run["target"], row["test"])
        rps[key].append(float(row["rps"]))
        p50[key].append(float(row["p50_latency_ms"]))
        p99[key].append(float(row["p99_latency_ms"]))

def median(values):
    return statistics.median(values) if values else float("nan")

print()
print("| workload | test | " + " | ".join(targets) + " | pooled-replica / pooled |")
print("|---|---|" + "---|" * len(targets) + "---|")
for w, label in workloads:
    for test in ("SET", "INCR"):
        base = median(rps[(w, "async", test)])
        cells = []
        for t in targets:
            r = median(rps[(w, t, test)])
            cells.append(f"{r:,.0f} ({r / base:.2f}x), p50 {median(p50[(w, t, test)]):.3f} / "
                         f"p99 {median(p99[(w, t, test)]):.3f} ms")
        pooled = median(rps[(w, "pooled-replica", test)]) / median(rps[(w, "pooled", test)])
        print(f"| `{label}` | {test} | " + " | ".join(cells) + f" | {pooled:.2f}x |")
PY

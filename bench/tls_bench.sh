#!/usr/bin/env bash
# The cost of TLS, side by side on loopback in one run: redis-benchmark --tls against
#   direct       redis-server's own TLS port
#   proxy-tls    sentinel-proxy with TLS on the client side (tls-port), Redis in the clear
#   proxy-tls2   sentinel-proxy with TLS on both sides (tls-port and tls-replication)
#   pooled-tls   sentinel-proxy in pooled mode (backend-pool-size 1) with tls-port
#   haproxy-tls  HAProxy terminating TLS (bind ... ssl), Redis in the clear
# for SET and GET at `-c 50 -P 1`, `-c 50 -P 16` and `-c 1` (with the p50 latency):
# medians over ROUNDS rounds, targets in an order that rotates from round to round, and the
# ratio of each to direct and of sentinel-proxy to HAProxy. Certificates (EC P-256) are made
# with openssl for the run; TLSv1.3, each side's default ciphers; clients show a certificate.
#
#   bench/tls_bench.sh [path/to/sentinel-proxy]          (default: build/sentinel-proxy)
#
# Environment: ROUNDS [5], SCALE [1] (multiplies request counts; 0.05 for a smoke run),
# IO_THREADS [1] (sentinel-proxy's io-threads and HAProxy's nbthread), KEEP_BENCH_DIR=1.
set -euo pipefail
cd "$(dirname "$0")/.."

proxy_binary=$(realpath "${1:-build/sentinel-proxy}")
rounds=${ROUNDS:-5}
scale=${SCALE:-1}
scaled() { awk -v n="$1" -v s="$scale" 'BEGIN { v = int(n * s); print (v < 100 ? 100 : v) }'; }
n=$(scaled 100000)
n_pipeline=$((n * 4))
n_latency=$(scaled 20000)
io_threads=${IO_THREADS:-1}
python=/usr/bin/python3
[ -x "$proxy_binary" ] || { echo "no proxy binary at $proxy_binary (build it first)" >&2; exit 1; }
for tool in redis-server redis-benchmark haproxy openssl; do
  command -v "$tool" >/dev/null || { echo "needs $tool (scripts/install-deps.sh)" >&2; exit 1; }
done

dir_prefix=tls-bench
# shellcheck source=bench/bench_lib.sh
source bench/bench_lib.sh
bench_setup

# --- certificates -------------------------------------------------------------------------
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${ec[@]}" -days 2 -keyout "$dir/ca.key" -subj "/CN=bench CA" \
  -out "$dir/ca.crt" 2>/dev/null
for name in server client; do
  openssl req "${ec[@]}" -keyout "$dir/$name.key" -subj "/CN=$name" -out "$dir/$name.csr" \
    2>/dev/null
  openssl x509 -req -sha256 -days 2 -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -out "$dir/$name.crt" 2>/dev/null
done
cat "$dir/server.crt" "$dir/server.key" >"$dir/server.pem"   # HAProxy's crt
tls_server=(--tls-cert-file "$dir/server.crt" --tls-key-file "$dir/server.key"
            --tls-ca-cert-file "$dir/ca.crt")
tls_client=(--tls --cacert "$dir/ca.crt" --cert "$dir/client.crt" --key "$dir/client.key")

# --- the servers ----------------------------------------------------------------------------
redis_port=$(free_port)
redis_tls_port=$(free_port)
redis-server --port "$redis_port" --tls-port "$redis_tls_port" "${tls_server[@]}" \
  --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --logfile "$dir/redis.log" &
redis_pid=$!
pids+=("$redis_pid")
wait_for_port "$redis_port"

proxy_port=$(free_port)
"$proxy_binary" --port 0 --tls-port "$proxy_port" "${tls_server[@]}" \
  --upstream 127.0.0.1 "$redis_port" --io-threads "$io_threads" --metrics-port 0 \
  --logfile "$dir/proxy-tls.log" &
proxy_pid=$!
pids+=("$proxy_pid")
proxy2_port=$(free_port)
"$proxy_binary" --port 0 --tls-port "$proxy2_port" "${tls_server[@]}" --tls-replication yes \
  --upstream 127.0.0.1 "$redis_tls_port" --io-threads "$io_threads" --metrics-port 0 \
  --logfile "$dir/proxy-tls2.log" &
proxy2_pid=$!
pids+=("$proxy2_pid")
pooled_port=$(free_port)
"$proxy_binary" --port 0 --tls-port "$pooled_port" "${tls_server[@]}" --backend-pool-size 1 \
  --upstream 127.0.0.1 "$redis_port" --io-threads "$io_threads" --metrics-port 0 \
  --logfile "$dir/pooled-tls.log" &
pids+=($!)

haproxy_port=$(free_port)
cat >"$dir/haproxy.cfg" <<CFG
global
  maxconn 4096
  nbthread $io_threads
  ssl-default-bind-options ssl-min-ver TLSv1.2
defaults
  mode tcp
  timeout connect 5s
  timeout client 1h
  timeout server 1h
frontend redis_in
  bind 127.0.0.1:$haproxy_port ssl crt $dir/server.pem ca-file $dir/ca.crt verify required
  default_backend redis
backend redis
  server r1 127.0.0.1:$redis_port
CFG
haproxy -f "$dir/haproxy.cfg" -db >"$dir/haproxy.log" 2>&1 &
haproxy_pid=$!
pids+=("$haproxy_pid")
for port in "$proxy_port" "$proxy2_port" "$pooled_port" "$haproxy_port"; do
  wait_for_port "$port"
done

declare -A port_of=([direct]=$redis_tls_port [proxy-tls]=$proxy_port [proxy-tls2]=$proxy2_port
                    [pooled-tls]=$pooled_port [haproxy-tls]=$haproxy_port)
targets=(direct proxy-tls proxy-tls2 pooled-tls haproxy-tls)
workloads=("c50-P1:-c 50 -P 1 -n $n" "c50-P16:-c 50 -P 16 -n $n_pipeline"
           "c1:-c 1 -P 1 -n $n_latency")

echo "sentinel-proxy $("$proxy_binary" --version | awk '{print $2}') (io-threads $io_threads)," \
     "HAProxy $(haproxy -v | awk 'NR==1 {print $3}') (nbthread $io_threads)," \
     "redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/')," \
     "$(openssl version | awk '{print $1, $2}'); redis-benchmark --tls -t set,get"
echo "$(nproc) cores; $rounds rounds; -n $n (-c 50 -P 1), $n_pipeline (-c 50 -P 16)," \
     "$n_latency (-c 1)"

bench_rounds set,get "${tls_client[@]}"

"$python" - "$dir/runs.csv" <<'PY'
import csv, statistics, sys
from collections import defaultdict

targets = ["direct", "proxy-tls", "proxy-tls2", "pooled-tls", "haproxy-tls"]
workloads = [("c50-P1", "-c 50 -P 1"), ("c50-P16", "-c 50 -P 16"), ("c1", "-c 1")]
rps, p50 = defaultdict(list), defaultdict(list)
for run in csv.DictReader(open(sys.argv[1])):
    for row in csv.DictReader(open(run["csv"])):
        key = (run["workload"], run["target"], row["test"])
        rps[key].append(float(row["rps"]))
        p50[key].append(float(row["p50_latency_ms"]))

def median(values):
    return statistics.median(values) if values else float("nan")

print()
print("| workload | test | " + " | ".join(targets) +
      " | proxy-tls / haproxy-tls | pooled-tls / haproxy-tls |")
print("|---|---|" + "---|" * len(targets) + "---|---|")
for w, label in workloads:
    for test in ("SET", "GET"):
        base = median(rps[(w, "direct", test)])
        cells = []
        for t in targets:
            r = median(rps[(w, t, test)])
            cell = f"{r:,.0f} ({r / base:.2f}x)"
            if w == "c1":
                cell += f", p50 {median(p50[(w, t, test)]) * 1000:.0f} µs"
            cells.append(cell)
        haproxy = median(rps[(w, "haproxy-tls", test)])
        ratio = median(rps[(w, "proxy-tls", test)]) / haproxy
        pooled_ratio = median(rps[(w, "pooled-tls", test)]) / haproxy
        print(f"| `{label}` | {test} | " + " | ".join(cells) +
              f" | {ratio:.2f}x | {pooled_ratio:.2f}x |")
PY

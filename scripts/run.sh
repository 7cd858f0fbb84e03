#!/usr/bin/env bash
# Builds sentinel-proxy and starts the main job.
#   scripts/run.sh                 a local demo group: a redis-server master and two
#                                  replicas (in a temp dir) with the proxy in front
#   scripts/run.sh my.conf [--directive value ...]
#                                  just the proxy, with your own config
# Installs missing Debian packages first. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"${JOBS:-2}" --target sentinel-proxy

if [ $# -gt 0 ]; then
  exec ./build/sentinel-proxy "$@"
fi

base=${DEMO_REDIS_PORT:-6390}
proxy_port=${DEMO_PROXY_PORT:-26380}
metrics_port=${DEMO_METRICS_PORT:-9380}
dir=$(mktemp -d /tmp/sentinel-proxy-demo.XXXXXX)
pids=()

cleanup() {
  trap - INT TERM EXIT
  echo
  echo "Stopping the demo..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup INT TERM EXIT

wait_for_port() {
  for _ in $(seq 1 100); do
    redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "nothing answers on port $1; logs are in $dir" >&2
  exit 1
}

for i in 0 1 2; do
  port=$((base + i))
  mkdir -p "$dir/redis-$port"
  args=(--port "$port" --bind 127.0.0.1 --dir "$dir/redis-$port" --save "" --appendonly no
        --logfile "$dir/redis-$port/redis.log")
  [ "$i" -gt 0 ] && args+=(--replicaof 127.0.0.1 "$base")
  redis-server "${args[@]}" &
  pids+=($!)
  wait_for_port "$port"
done

./build/sentinel-proxy --port "$proxy_port" --upstream 127.0.0.1 "$base" \
  --metrics-port "$metrics_port" --logfile "$dir/sentinel-proxy.log" &
pids+=($!)
wait_for_port "$proxy_port"

cat <<MSG

sentinel-proxy demo is running (files in $dir):
  master   redis-server 127.0.0.1:$base
  replicas redis-server 127.0.0.1:$((base + 1)), 127.0.0.1:$((base + 2))
  proxy    127.0.0.1:$proxy_port -> master   (log: $dir/sentinel-proxy.log)
  metrics  http://127.0.0.1:$metrics_port/metrics

Try:
  redis-cli -p $proxy_port set greeting hello
  redis-cli -p $proxy_port get greeting
  redis-cli -p $proxy_port proxy info
  redis-benchmark -p $proxy_port -t set,get -q
  curl -s http://127.0.0.1:$metrics_port/metrics | grep sentinel_proxy

This build proxies to a fixed master: automatic failover (the in-process sentinel)
is not wired into the binary yet, so stopping the master makes the proxy answer
with an error naming the master, until it is back.

Ctrl-C stops everything.
MSG
wait

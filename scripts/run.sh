#!/usr/bin/env bash
# Builds sentinel-proxy and starts the main job.
#   scripts/run.sh                 a local demo group: a redis-server master and two
#                                  replicas (in a temp dir) with the proxy in front
#   scripts/run.sh --tls           the same group with TLS on every link: certificates
#                                  made with openssl, Redis and the proxies TLS-only
#   scripts/run.sh my.conf [--directive value ...]
#                                  just the proxy, with your own config
# Installs missing Debian packages first. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"${JOBS:-2}" --target sentinel-proxy

tls=no
if [ "${1:-}" = "--tls" ]; then
  tls=yes
  shift
fi
if [ $# -gt 0 ]; then
  exec ./build/sentinel-proxy "$@"
fi

base=${DEMO_REDIS_PORT:-6390}
proxy_port=${DEMO_PROXY_PORT:-26380}
metrics_port=${DEMO_METRICS_PORT:-9380}
sentinel_port=${DEMO_SENTINEL_PORT:-26379}
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

# With --tls: a CA, and one certificate (EC P-256) every server and client of the demo
# shows; Redis's tls-* directives for the servers, redis-cli's options for the clients.
tls_conf=""
cli=(redis-cli)
server_tls=()
if [ "$tls" = yes ]; then
  t="$dir/tls"
  mkdir -p "$t"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
    -keyout "$t/ca.key" -subj "/CN=sentinel-proxy demo CA" -out "$t/ca.crt" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$t/demo.key" \
    -subj "/CN=127.0.0.1" -out "$t/demo.csr" 2>/dev/null
  openssl x509 -req -sha256 -days 30 -in "$t/demo.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" \
    -CAcreateserial -out "$t/demo.crt" 2>/dev/null
  server_tls=(--tls-cert-file "$t/demo.crt" --tls-key-file "$t/demo.key"
              --tls-ca-cert-file "$t/ca.crt" --tls-replication yes)
  tls_conf="tls-cert-file $t/demo.crt
tls-key-file $t/demo.key
tls-ca-cert-file $t/ca.crt
tls-replication yes"
  cli=(redis-cli --tls --cacert "$t/ca.crt" --cert "$t/demo.crt" --key "$t/demo.key")
fi

wait_for_port() {
  for _ in $(seq 1 100); do
    "${cli[@]}" -p "$1" ping >/dev/null 2>&1 && return 0
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
  [ "$tls" = yes ] && args+=(--port 0 --tls-port "$port" "${server_tls[@]}")
  [ "$i" -gt 0 ] && args+=(--replicaof 127.0.0.1 "$base")
  redis-server "${args[@]}" &
  pids+=($!)
  wait_for_port "$port"
done

# Three proxies, each with the sentinel inside (quorum 2), in front of the group.
for i in 0 1 2; do
  conf="$dir/sentinel-proxy-$i.conf"
  cat >"$conf" <<CONF
port $((proxy_port + i))
metrics-port $((metrics_port + i))
sentinel-port $((sentinel_port + 10 * i))
logfile $dir/sentinel-proxy-$i.log
sentinel monitor mymaster 127.0.0.1 $base 2
sentinel down-after-milliseconds mymaster 2000
sentinel failover-timeout mymaster 20000
CONF
  if [ "$tls" = yes ]; then
    # The same port numbers, TLS only.
    cat >>"$conf" <<CONF
port 0
tls-port $((proxy_port + i))
sentinel-port 0
sentinel-tls-port $((sentinel_port + 10 * i))
$tls_conf
CONF
  fi
  ./build/sentinel-proxy "$conf" &
  pids+=($!)
  wait_for_port "$((proxy_port + i))"
done

cli_text=redis-cli
tls_bench_options=""
[ "$tls" = yes ] && tls_bench_options=" ${cli[*]:1}"
if [ "$tls" = yes ]; then
  # Pasted into a shell, the line below makes the examples work as they are written.
  echo
  echo "Every port is TLS only. For the examples below, first:"
  echo "  cli=\"${cli[*]}\""
  cli_text='$cli'
fi
cat <<MSG

sentinel-proxy demo is running (files in $dir):
  master    redis-server 127.0.0.1:$base
  replicas  redis-server 127.0.0.1:$((base + 1)), 127.0.0.1:$((base + 2))
  proxies   127.0.0.1:$proxy_port, $((proxy_port + 1)), $((proxy_port + 2)) -> the current master
  sentinels 127.0.0.1:$sentinel_port, $((sentinel_port + 10)), $((sentinel_port + 20)) (inside the proxies)
  metrics   http://127.0.0.1:$metrics_port/metrics (and the next two ports)

Try:
  $cli_text -p $proxy_port set greeting hello
  $cli_text -p $proxy_port get greeting
  $cli_text -p $proxy_port proxy topology
  $cli_text -p $sentinel_port sentinel masters
  redis-benchmark${tls_bench_options} -p $proxy_port -t set,get -q
  curl -s http://127.0.0.1:$metrics_port/metrics | grep sentinel_proxy

A failover: stop the master ($cli_text -p $base shutdown nosave) and watch
  $cli_text -p $sentinel_port subscribe +switch-master
after about 3 s the proxies send clients to the promoted replica
($cli_text -p $proxy_port proxy topology). Connected clients are held meanwhile and
moved with their state (database, subscriptions, name); only one with a command in
flight on the dead master is disconnected, since that command's outcome is unknown.
A planned switchover that loses nothing: $cli_text -p $proxy_port proxy failover

Ctrl-C stops everything.
MSG
wait

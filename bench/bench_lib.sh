# Shared by the bench scripts (sourced, not run): the temp dir and the processes a script
# starts, removed and killed by pid however it ends; free ports; waiting for a listener;
# interleaved redis-benchmark rounds.
#
# The caller sets `python` (an interpreter with only the standard library needed) and
# `dir_prefix`, then calls bench_setup; it appends each pid it starts to `pids`.

bench_setup() {
  dir=$(mktemp -d "/tmp/$dir_prefix.XXXXXX")
  pids=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM   # run the EXIT trap on Ctrl-C and kill too
}

bench_cleanup() {
  # The redis-benchmark running now, if the script runs it in the background (bench_pid).
  if [ -n "${bench_pid:-}" ]; then kill "$bench_pid" 2>/dev/null || true; fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${KEEP_BENCH_DIR:-}" ]; then echo "kept $dir" >&2; else rm -rf "$dir"; fi
}

free_port() {
  "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_for_port() {  # a TCP accept is enough: twemproxy closes the connection on INFO etc.
  for _ in $(seq 1 200); do
    "$python" -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1)' \
      "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "nothing listens on port $1; logs in $dir:" >&2
  tail -n 5 "$dir"/*.log >&2 || true
  KEEP_BENCH_DIR=1
  exit 1
}

# bench_rounds <redis-benchmark -t list> [client args...]: every workload ("name:flags")
# on every target (port_of[target]) once per round, targets in an order that rotates from
# round to round so that a machine getting busier affects all alike; one row per run in
# $dir/runs.csv (round, workload, target, the run's redis-benchmark CSV).
bench_rounds() {
  local tests=$1 round shift_by name args target csv start=$SECONDS
  shift
  local order
  echo "round,workload,target,csv" >"$dir/runs.csv"
  for round in $(seq 1 "$rounds"); do
    shift_by=$(((round - 1) % ${#targets[@]}))
    order=("${targets[@]:shift_by}" "${targets[@]:0:shift_by}")
    for workload in "${workloads[@]}"; do
      name=${workload%%:*}
      args=${workload#*:}
      for target in "${order[@]}"; do
        csv="$dir/r$round-$name-$target.csv"
        # shellcheck disable=SC2086  # $args is a list of flags
        if ! timeout 600 redis-benchmark "$@" -p "${port_of[$target]}" -t "$tests" $args --csv \
            >"$csv" 2>"$csv.err"; then
          echo "redis-benchmark failed against $target ($args):" >&2
          cat "$csv.err" >&2
          exit 1
        fi
        echo "$round,$name,$target,$csv" >>"$dir/runs.csv"
      done
    done
    echo "round $round/$rounds done ($((SECONDS - start)) s)" >&2
  done
}

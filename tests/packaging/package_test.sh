#!/usr/bin/env bash
# Installation and packaging, as an operator meets them (README.md, "Running in
# production"):
#   1. `cmake --install` into a temp prefix: binary, example configs, units, docs; the
#      installed binary accepts the installed config and serves clients with it; the
#      units name the installed paths and `systemd-analyze verify` accepts them;
#   2. `cpack -G DEB`: the package holds the same files at their system places, marks the
#      configs as conffiles, depends on the libraries it links, and runs the maintainer
#      scripts that create the service user.
# Usage: tests/packaging/package_test.sh <build dir>
set -euo pipefail
build=$(realpath "$1")
source_dir=$(realpath "$(dirname "$0")/../..")
tmp=$(mktemp -d /tmp/sp-package-test.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- 1. cmake --install into a temp prefix ----------------------------------------------
prefix="$tmp/prefix"
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log"
for f in bin/sentinel-proxy etc/sentinel-proxy/sentinel-proxy.conf etc/sentinel-proxy/sentinel.conf \
         lib/systemd/system/sentinel-proxy.service lib/systemd/system/sentinel-proxy-sentinel.service \
         share/doc/sentinel-proxy/LICENSE share/doc/sentinel-proxy/README.md \
         share/sentinel-proxy/grafana-dashboard.json share/sentinel-proxy/prometheus-alerts.yml \
         share/sentinel-proxy/grafana-provisioning.yml; do
  [ -e "$prefix/$f" ] || fail "cmake --install left out $f"
done
grep -q "^ExecStart=$prefix/bin/sentinel-proxy $prefix/etc/sentinel-proxy/sentinel-proxy.conf --supervised systemd$" \
  "$prefix/lib/systemd/system/sentinel-proxy.service" || fail "the unit does not name the installed paths"
grep -q "^ExecStart=$prefix/bin/sentinel-proxy --sentinel $prefix/etc/sentinel-proxy/sentinel.conf" \
  "$prefix/lib/systemd/system/sentinel-proxy-sentinel.service" || fail "the drop-in unit does not name the installed paths"
systemd-analyze verify "$prefix"/lib/systemd/system/*.service >"$tmp/verify.log" 2>&1 ||
  { cat "$tmp/verify.log" >&2; fail "systemd-analyze verify refused the units"; }
# An operator's config is kept when installing again.
echo "# mine" >>"$prefix/etc/sentinel-proxy/sentinel-proxy.conf"
cmake --install "$build" --prefix "$prefix" >"$tmp/install2.log"
tail -n 1 "$prefix/etc/sentinel-proxy/sentinel-proxy.conf" | grep -q "^# mine$" ||
  fail "installing again overwrote the config"

"$prefix/bin/sentinel-proxy" --test-config "$prefix/etc/sentinel-proxy/sentinel-proxy.conf" |
  grep -q "configuration OK" || fail "--test-config refused the installed config"
# The installed binary with the installed config serves a client (ports chosen here).
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --dir "$tmp" >"$tmp/redis.log" 2>&1 &
pids+=($!)
proxy_port=$(free_port)
(cd "$tmp" && exec "$prefix/bin/sentinel-proxy" "$prefix/etc/sentinel-proxy/sentinel-proxy.conf" \
  --port "$proxy_port" --upstream 127.0.0.1 "$redis_port" --metrics-port 0 \
  --sentinel-port 0 >"$tmp/proxy.log" 2>&1) &
pids+=($!)
answered=""
for _ in $(seq 1 100); do
  answered=$(redis-cli -p "$proxy_port" set installed yes 2>/dev/null || true)
  [ "$answered" = OK ] && break
  sleep 0.1
done
[ "$answered" = OK ] || { cat "$tmp/proxy.log" >&2; fail "the installed proxy did not serve a client"; }
[ "$(redis-cli -p "$redis_port" get installed)" = yes ] || fail "the write did not reach Redis"

# --- 2. the Debian package ---------------------------------------------------------------
(cd "$build" && cpack -G DEB -B "$tmp/deb" >"$tmp/cpack.log" 2>&1) ||
  { cat "$tmp/cpack.log" >&2; fail "cpack -G DEB failed"; }
deb=$(ls "$tmp"/deb/sentinel-proxy_*.deb)
dpkg-deb --contents "$deb" >"$tmp/contents"
for f in ./usr/bin/sentinel-proxy ./etc/sentinel-proxy/sentinel-proxy.conf ./etc/sentinel-proxy/sentinel.conf \
         ./lib/systemd/system/sentinel-proxy.service ./lib/systemd/system/sentinel-proxy-sentinel.service \
         ./usr/share/doc/sentinel-proxy/LICENSE; do
  grep -q " $f\$" "$tmp/contents" || { cat "$tmp/contents" >&2; fail "the package lacks $f"; }
done
dpkg-deb --field "$deb" Depends | grep -q "libspdlog" || fail "Depends lacks the libraries it links"
dpkg-deb --field "$deb" Depends | grep -q "adduser" || fail "Depends lacks adduser (postinst)"
mkdir "$tmp/control"
dpkg-deb --control "$deb" "$tmp/control"
grep -qx "/etc/sentinel-proxy/sentinel-proxy.conf" "$tmp/control/conffiles" || fail "configs are not conffiles"
grep -q "adduser --system" "$tmp/control/postinst" || fail "postinst does not create the user"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./lib/systemd/system/sentinel-proxy.service |
  grep -q "^ExecStart=/usr/bin/sentinel-proxy /etc/sentinel-proxy/sentinel-proxy.conf --supervised systemd$" ||
  fail "the packaged unit does not name /usr/bin and /etc"
echo "package test passed: $(basename "$deb"), $(wc -l <"$tmp/contents") entries"

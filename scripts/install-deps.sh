#!/usr/bin/env bash
# Installs, from Debian's archive, whatever the build, the tests and the demo need and
# this machine lacks. Needs root (or sudo). Safe to run again: it installs nothing when
# everything is present.
set -euo pipefail

packages=(
  # build
  g++ cmake make pkg-config
  libasio-dev libhiredis-dev libspdlog-dev prometheus-cpp-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # fuzzing (libFuzzer ships in clang's runtime package) and formatting
  clang libclang-rt-14-dev clang-format
  # real servers and clients for the integration tests, the demo and the benchmarks
  redis-server redis-sentinel redis-tools haproxy nutcracker python3 python3-redis
  procps iproute2 openssl
  # packaging and its test: dpkg-shlibdeps (cpack -G DEB), systemd-analyze (unit checks)
  dpkg-dev systemd
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing Debian packages: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts a system redis-server on 6379 after installing the package; the tests and
# the demo use their own ports and do not need it.

#!/usr/bin/env bash
# Builds the Debian package: build/sentinel-proxy_<version>_<arch>.deb, to install with
#   dpkg -i build/sentinel-proxy_*.deb
# (README.md, "Running in production"). Installs missing build packages first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"${JOBS:-2}" --target sentinel-proxy
(cd build && cpack -G DEB)
ls -1 build/sentinel-proxy_*.deb

#!/usr/bin/env bash
# Installs what logstream needs to build and test on Debian 12, and nothing that is already there.
# Idempotent: a second run checks the package list and returns without touching apt.
# `setup.sh bench` adds the peers the end-to-end benchmark compares against.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libtbb-dev libhyperscan-dev libconcurrentqueue-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev zlib1g-dev libpcre2-dev
  mawk gawk clang-format time
  clang-14 libclang-rt-14-dev
  nlohmann-json3-dev libcpp-httplib-dev curl
  libjs-chart.js
  librdkafka-dev
  tzdata
)
# `setup.sh package` adds what tools/scripts/package.sh needs to build and check the .deb; `setup.sh test`
# that and what only the tests use (a headless browser for the dashboard, kcat to produce to Kafka).
if [ "${1:-}" = package ] || [ "${1:-}" = test ]; then
  packages+=(dpkg-dev lintian file)
fi
if [ "${1:-}" = test ]; then
  packages+=(chromium kcat)
fi
if [ "${1:-}" = bench ]; then
  packages+=(goaccess kcat)
  # DuckDB comes from npm (bench/run_e2e.sh installs it); npm itself from Debian unless one is there.
  command -v npm > /dev/null || packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present" >&2
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done" >&2

#!/usr/bin/env bash
# Installs what is missing, then configures and builds a CMake preset (default: release).
# Usage: tools/scripts/build.sh [dev|release|asan|tsan]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
preset=${1:-release}
bash "$root/tools/scripts/setup.sh"
cd "$root"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"

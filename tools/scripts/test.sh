#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (unit, integration, stress), the format check and a smoke
# run of the benchmark harness (counts only, no timing).
# This is what CI runs (.ci/run). Usage: tools/scripts/test.sh [preset]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
preset=${1:-release}
bash "$root/tools/scripts/build.sh" "$preset"
cd "$root"

echo "== clang-format check" >&2
find stages pipeline tools tests bench -name '*.cc' -o -name '*.h' | sort |
  xargs clang-format --dry-run --Werror

echo "== ctest ($preset): unit, integration, stress" >&2
ctest --preset "$preset" -j "$(nproc)" --timeout 600 -L 'unit|integration|stress'

echo "== benchmark harness smoke run (counts agree with mawk; no timing)" >&2
bash bench/run_e2e.sh --smoke

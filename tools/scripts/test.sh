#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite. This is what CI runs (.ci/run).
#   1. release: unit, integration and stress tests, the format check, a smoke run of the benchmark harness;
#   2. asan (ASan + UBSan): unit and integration tests;
#   3. tsan: the plain-thread tests of our concurrent code (*Concurrency; see tests/sanitizers/tsan.supp);
#   4. fuzz: every libFuzzer target for a bounded time (LOGSTREAM_FUZZ_SECONDS, default 8 per target).
# Usage: tools/scripts/test.sh [--quick]   (--quick: step 1 only)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
quick=0
[ "${1:-}" = --quick ] && quick=1
cd "$root"
# The tests also build and check the .deb (lintian, dpkg-dev) and load the dashboard in a browser.
bash tools/scripts/setup.sh test
bash tools/scripts/build.sh release

echo "== clang-format check" >&2
find stages pipeline tools tests bench -name '*.cc' -o -name '*.h' | sort |
  xargs clang-format --dry-run --Werror

echo "== ctest (release): unit, integration, stress" >&2
ctest --preset release -j "$(nproc)" --timeout 600 -L 'unit|integration|stress'

echo "== benchmark harness smoke run (counts agree with mawk; no timing)" >&2
bash bench/run_e2e.sh --smoke
[ "$quick" = 1 ] && exit 0

echo "== asan + ubsan: unit, integration" >&2
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$(nproc)" --target unit_tests integration_tests logstream loggen logstream-kafka-mock
ctest --preset asan -j "$(nproc)" --timeout 600 -L 'unit|integration'

echo "== tsan: our concurrent code with plain threads" >&2
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$(nproc)" --target concurrency_tests
ctest --preset tsan --timeout 300

echo "== fuzz: bounded run of every target" >&2
bash tools/scripts/fuzz.sh "${LOGSTREAM_FUZZ_SECONDS:-8}"

#!/usr/bin/env bash
# Builds logstream_<version>_amd64.deb: installs what packaging needs (dpkg-dev, lintian), builds the
# release preset, runs CPack, checks the package with lintian (no errors allowed), copies it into the
# current directory and prints its path as the last line.
# Usage: tools/scripts/package.sh [BUILD_DIR]   (BUILD_DIR: an already built tree; default build/release,
#        built first)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bash "$root/tools/scripts/setup.sh" package
if [ $# -ge 1 ]; then
  build=$(cd "$1" && pwd)
  cmake --build "$build" --target logstream package_documents -j "$(nproc)" > /dev/null
else
  bash "$root/tools/scripts/build.sh" release > /dev/null
  build="$root/build/release"
fi
rm -rf "$build/packages"
(cd "$build" && cpack -G DEB --config CPackConfig.cmake > "$build/cpack.log" 2>&1) || {
  cat "$build/cpack.log" >&2
  exit 1
}
deb=$(ls "$build"/packages/logstream_*_amd64.deb)
# Lintian's errors fail the package; its warnings and notes are shown.
if ! lintian --fail-on error --tag-display-limit 0 "$deb" >&2; then
  echo "package: lintian found errors in $deb" >&2
  exit 1
fi
# Beside the caller, so that the README's `apt install ./logstream_*.deb` finds it.
cp "$deb" .
echo "$PWD/$(basename "$deb")"

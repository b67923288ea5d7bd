#!/usr/bin/env bash
# The seed's lesson, end to end: sets up and builds, generates a log shaped like the seed's access_log.txt,
# starts `logstream watch demo/logs`, copies the log in (Batch 0), copies it again under another name
# (Batch 1, every count doubled), then stops it with Ctrl-C (SIGINT) and exits.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bash "$root/tools/scripts/build.sh" release >/dev/null
bin="$root/build/release/tools"
demo="$root/demo"
rm -rf "$demo"
mkdir -p "$demo/logs"
"$bin/loggen/loggen" --shape seed -o "$demo/access_log.txt"
echo "demo: generated $demo/access_log.txt ($(wc -l < "$demo/access_log.txt") lines, the seed's status mix)" >&2

"$bin/logstream" watch "$demo/logs" > "$demo/watch.out" 2> "$demo/watch.err" &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true' EXIT

wait_for_batch() {  # waits until the console output holds batch $1 complete
  for _ in $(seq 1 300); do
    if [ "$(grep -c '^+------+' "$demo/watch.out" 2>/dev/null || true)" -ge $(( ($1 + 1) * 3 )) ]; then return 0; fi
    sleep 0.1
  done
  echo "demo: no Batch $1 after 30 s; stderr of logstream:" >&2
  cat "$demo/watch.err" >&2
  exit 1
}

sleep 0.3
echo "demo: cp access_log.txt logs/access_log.txt" >&2
cp "$demo/access_log.txt" "$demo/logs/access_log.txt"
wait_for_batch 0
cat "$demo/watch.out"
printed=$(wc -c < "$demo/watch.out")

echo "demo: cp access_log.txt logs/access_log_1.txt" >&2
cp "$demo/access_log.txt" "$demo/logs/access_log_1.txt"
wait_for_batch 1
tail -c +$((printed + 1)) "$demo/watch.out"

kill -INT "$pid"
wait "$pid"
trap - EXIT
echo "demo: logstream stopped cleanly on Ctrl-C; its stderr:" >&2
sed 's/^/  /' "$demo/watch.err" >&2

#!/usr/bin/env bash
# Kafka throughput, measured side by side in one run on logstream-kafka-mock (librdkafka's mock cluster,
# in memory on 127.0.0.1):
#   - the same lines counted by `logstream run FILE` and by one worker reading them from the topic;
#   - one worker against two workers of one consumer group on this machine.
# The lines are produced with kcat before the workers start (one message per line, spread evenly over
# PARTITIONS partitions: the mock keeps only a few MB per partition, so PARTITIONS x 4 MB at most). A
# worker's time runs from its first partition assignment to the moment a merger sees every line counted,
# so the group's join is left out and the merger's trigger (100 ms) is in.
#
#   bench/run_kafka.sh [--partitions 24] [--mb-per-partition 3] [--query 'status, method']
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
partitions=24
per_partition=3
query='status, method'
while [ $# -gt 0 ]; do
  case "$1" in
    --partitions) partitions=$2; shift 2 ;;
    --mb-per-partition) per_partition=$2; shift 2 ;;
    --query) query=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "run_kafka: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
bash "$root/tools/scripts/setup.sh" bench
bash "$root/tools/scripts/build.sh" release >/dev/null
bin="$root/build/release/tools"
work=$(mktemp -d /tmp/logstream-kafka.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

log="$work/lines.log"
"$bin/loggen/loggen" --size "$((partitions * per_partition))M" --format combined --seed 14 -o "$log"
lines=$(wc -l < "$log")
bytes=$(stat -c %s "$log")
now() { date +%s.%N; }

# `logstream run` on the file, best of three.
best_file=999
for _ in 1 2 3; do
  start=$(now)
  "$bin/logstream" -q --format combined --group-by "$query" --sink csv=/dev/null run "$log"
  t=$(echo "$(now) - $start" | bc)
  best_file=$(echo "if ($t < $best_file) $t else $best_file" | bc)
done

# One run of WORKERS workers on a fresh cluster: seconds from the first assignment to every line merged.
run_workers() {
  local workers=$1 group="g$1"
  "$bin/logstream-kafka-mock" --topic logs --partitions "$partitions" > "$work/mock.out" 2> "$work/mock.err" &
  local mock=$!
  pids+=("$mock")
  while [ ! -s "$work/mock.out" ]; do sleep 0.05; done
  local brokers
  brokers=$(head -n 1 "$work/mock.out")
  kcat -b "$brokers" -t logs -X sticky.partitioning.linger.ms=0 -X linger.ms=50 -P -l "$log"
  local w wp=()
  for w in $(seq "$workers"); do
    "$bin/logstream" --format combined --group-by "$query" watch "kafka://$brokers/logs" --group "$group" \
      --trigger-interval '200 milliseconds' 2> "$work/w$w.err" &
    wp+=($!)
    pids+=($!)
  done
  while ! grep -q assigned "$work/w1.err" 2>/dev/null; do sleep 0.01; done
  local start
  start=$(now)
  "$bin/logstream" --format combined --group-by "$query" --sink "csv=$work/merged.csv" merge \
    "kafka://$brokers/logs" --group "$group" --trigger-interval '100 milliseconds' 2> "$work/merge.err" &
  local merger=$!
  pids+=("$merger")
  # Every line is in the merged table once the sum of a batch's counts is the number of lines.
  while ! awk -v want="$lines" -F, 'NR > 1 { s[$1] += $NF } END { for (b in s) if (s[b] == want) ok = 1; exit !ok }' \
          "$work/merged.csv" 2>/dev/null; do
    sleep 0.02
  done
  local elapsed
  elapsed=$(echo "$(now) - $start" | bc)
  # The workers' CPU seconds (user + system), from /proc, before they go.
  local ticks=0 p
  for p in "${wp[@]}"; do
    ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$(echo "scale=2; $ticks / $(getconf CLK_TCK)" | bc)" > "$work/cpu.$workers"
  kill "$merger" "${wp[@]}" 2>/dev/null || true
  wait "$merger" "${wp[@]}" 2>/dev/null || true
  kill "$mock" 2>/dev/null || true
  wait "$mock" 2>/dev/null || true
  rm -f "$work/mock.out" "$work/merged.csv"
  echo "$elapsed"
}
one=$(run_workers 1)
two=$(run_workers 2)
mb=$(echo "scale=1; $bytes / 1000000" | bc)
rate() { echo "scale=0; $bytes / $1 / 1000000" | bc; }
echo "| setup | ${mb} MB, $lines lines, $partitions partitions, GROUP BY $query | MB/s | workers' CPU |"
echo "|---|---|---|---|"
echo "| \`logstream run FILE\` | $best_file s | $(rate "$best_file") | |"
echo "| one worker from the mock | $one s | $(rate "$one") | $(cat "$work/cpu.1") s |"
echo "| two workers from the mock | $two s | $(rate "$two") | $(cat "$work/cpu.2") s |"

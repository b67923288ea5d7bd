#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`: clang 14, ASan + UBSan) and runs each for a bounded time
# from a seed corpus: slices of the shared real logs, quirky loggen output, format strings and a valid
# checkpoint. A crash, sanitizer report or disagreement fails the run and leaves the input in build/fuzz.
#   tools/scripts/fuzz.sh [seconds-per-target]   (default 20)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-20}
bash "$root/tools/scripts/setup.sh"
cd "$root"
cmake --preset fuzz >/dev/null
targets=(fuzz_log_formats fuzz_custom_format fuzz_seed_scanner fuzz_checkpoint fuzz_alert_rules fuzz_sql_parser
         fuzz_partition_delta)
cmake --build --preset fuzz -j "$(nproc)" --target "${targets[@]}" loggen >/dev/null
bin="$root/build/fuzz"
corpus="$bin/corpus"
rm -rf "$corpus" && mkdir -p "$corpus/logs" "$corpus/formats" "$corpus/checkpoint" "$corpus/rules" "$corpus/sql" \
  "$corpus/delta"

# Log lines: 2 KB slices of every shared log and of generated logs full of quirks.
for f in ../shared/data/*.log; do
  for offset in 0 50000 200000; do
    tail -c +"$((offset + 1))" "$f" | head -c 2048 > "$corpus/logs/$(basename "$f").$offset" || true
  done
done
for format in common combined vhost_combined nginx; do
  "$bin/tools/loggen/loggen" --lines 20 --format "$format" --quirks all --seed 3 -o "$corpus/logs/loggen-$format"
done
find "$corpus/logs" -empty -delete

# Custom formats: the format string on the first line, lines after it.
printf '%s\n' '%h %l %u %t "%r" %>s %b' > "$corpus/formats/common"
head -c 1500 ../shared/data/elastic-apache.log >> "$corpus/formats/common"
printf '%s\n' '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i" %D' > "$corpus/formats/vhost"
printf '%s\n' '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent' > "$corpus/formats/nginx"
"$bin/tools/loggen/loggen" --lines 5 --format nginx --seed 4 >> "$corpus/formats/nginx"

# A real checkpoint, written by the release binary if it is built, else a minimal valid one.
if [ -x build/release/tools/logstream ]; then
  tmp=$(mktemp -d)
  mkdir "$tmp/logs" && head -n 200 ../shared/data/elastic-apache.log > "$tmp/logs/a.log"
  build/release/tools/logstream -q --format spark-seed --checkpoint "$tmp/state" run "$tmp/logs" >/dev/null
  cp "$tmp/state/checkpoint" "$corpus/checkpoint/real"
  rm -rf "$tmp"
fi
printf 'logstream-checkpoint 1\n' > "$corpus/checkpoint/magic"

# Alert rules: the README's examples.
printf '%s' 'errors: rate(status >= 500) > 0.05' > "$corpus/rules/errors"
printf '%s' 'notfound: count(status == 404) > 1000 for 3 batches' > "$corpus/rules/notfound"
printf '%s' 'admin: count(endpoint ~ "^/admin" and not status in 200..399 or method != "GET") over 5m > 10' \
  > "$corpus/rules/admin"
# And inputs that once crashed or overflowed, kept in the repository.
cp tests/fuzz/corpus/rules/* "$corpus/rules/"
# SQL: queries using every clause and construct of the grammar.
cp tests/fuzz/corpus/sql/* "$corpus/sql/"
# State-topic deltas (Kafka): a status count's and one with groups.
cp tests/fuzz/corpus/delta/* "$corpus/delta/"

declare -A corpus_of=([fuzz_log_formats]=logs [fuzz_custom_format]=formats [fuzz_seed_scanner]=logs
                      [fuzz_checkpoint]=checkpoint [fuzz_alert_rules]=rules [fuzz_sql_parser]=sql
                      [fuzz_partition_delta]=delta)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for target in "${targets[@]}"; do
  echo "== $target: ${seconds} s" >&2
  work="$bin/work-$target" && rm -rf "$work" && mkdir -p "$work" && cp "$corpus/${corpus_of[$target]}"/* "$work/"
  (cd "$bin" && "./tests/fuzz/$target" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
     -print_final_stats=1 "$work" 2>&1 | tail -n 12)
done
echo "fuzz: every target ran ${seconds} s without a finding" >&2

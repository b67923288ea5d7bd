#!/usr/bin/env bash
# End-to-end throughput against peers, measured side by side in one run, page cache warm.
#
#   bench/run_e2e.sh [--size 1G] [--results bench/RESULTS.md] [--smoke]
#
# Generates a combined log with loggen, warms the page cache, times `logstream run` (status count;
# --format combined and spark-seed; 1 and 2 threads), mawk and gawk counting $9, GoAccess on a slice,
# and `wc -l` as the ceiling; checks that the counts agree; measures peak RSS, watch latency and start-up;
# writes the results file. --smoke: a small input, counts checked, no results file (for CI).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
size=1G
results="$root/bench/RESULTS.md"
smoke=0
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size=$2; shift 2 ;;
    --results) results=$2; shift 2 ;;
    --smoke) smoke=1; size=20M; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "run_e2e: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$smoke" = 1 ]; then bash "$root/tools/scripts/setup.sh"; else bash "$root/tools/scripts/setup.sh" bench; fi
bash "$root/tools/scripts/build.sh" release >/dev/null
bin="$root/build/release"
logstream="$bin/tools/logstream"
work=$(mktemp -d /tmp/logstream-e2e.XXXXXX)
trap 'rm -rf "$work"' EXIT
log="$work/combined.log"

echo "run_e2e: generating $size of combined log" >&2
"$bin/tools/loggen/loggen" --size "$size" --format combined --seed 2026 -o "$log"
bytes=$(stat -c %s "$log")
lines=$(wc -l < "$log")
slice="$work/slice.log"
head -c 100000000 "$log" | head -n -1 > "$slice"   # GoAccess is ~100x slower: give it 100 MB
slice_bytes=$(stat -c %s "$slice")
cat "$log" "$slice" > /dev/null; cat "$log" > /dev/null   # warm the page cache

# best_of N CMD...: runs N times, prints "seconds peak_rss_kb" of the fastest run. Wall time in
# milliseconds from the clock (/usr/bin/time's 10 ms steps are too coarse for runs of 0.3 s); peak RSS
# from /usr/bin/time.
best_of() {
  local n=$1; shift
  local best="" rss=0 start end t m
  for _ in $(seq 1 "$n"); do
    start=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$work/time" "$@" > "$work/out" 2> /dev/null
    end=$(date +%s%N)
    t=$(awk -v s="$start" -v e="$end" 'BEGIN{printf "%.3f", (e - s) / 1e9}')
    read -r m < "$work/time"
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$t; fi
    [ "$m" -gt "$rss" ] && rss=$m
  done
  echo "$best $rss"
}
# Status counts "status count" sorted, from a console table or from awk's output.
table_counts() { grep -E '^\| *[0-9]+\|' "$1" | tr -d ' ' | awk -F'|' '{print $2, $3}' | sort; }

runs=5; [ "$smoke" = 1 ] && runs=1
declare -A seconds rss
measure() {  # measure NAME CMD...
  local name=$1; shift
  read -r seconds[$name] rss[$name] < <(best_of "$runs" "$@")
  cp "$work/out" "$work/$name.out"
  echo "run_e2e: $name ${seconds[$name]} s, peak RSS ${rss[$name]} KB" >&2
}

measure wc wc -l "$log"
measure mawk mawk '{c[$9]++} END {for (k in c) print k, c[k]}' "$log"
measure gawk gawk '{c[$9]++} END {for (k in c) print k, c[k]}' "$log"
measure combined_t1 "$logstream" run -q --format combined --threads 1 "$log"
measure combined_t2 "$logstream" run -q --format combined --threads 2 "$log"
measure seed_t1 "$logstream" run -q --format spark-seed --threads 1 "$log"
measure seed_t2 "$logstream" run -q --format spark-seed --threads 2 "$log"
measure logstream_slice "$logstream" run -q --format combined "$slice"
# The query engine: a string key of high cardinality, a filter-and-project written as JSON lines, and the
# seed's seven columns all read.
measure mawk_endpoint mawk '{c[$7]++} END {for (k in c) print k "," c[k]}' "$log"
measure endpoint_t2 "$logstream" run -q --format combined --threads 2 --sink csv \
  --sql "SELECT endpoint, count(*) FROM logs GROUP BY endpoint" "$log"
measure endpoint_console "$logstream" run -q --format combined --threads 2 \
  --sql "SELECT endpoint, count(*) FROM logs GROUP BY endpoint" "$log"
measure project_jsonl "$logstream" run -q --format combined --threads 2 --sink "jsonl=$work/project.jsonl" \
  --sql "SELECT host, endpoint, status FROM logs WHERE status >= 400" "$log"
# Event time: a one-minute window by status (issue 12), its start as epoch seconds for the comparison.
measure window_t2 "$logstream" run -q --format combined --threads 2 --timezone UTC --sink csv \
  --sql "SELECT CAST(window.start AS BIGINT) AS minute, status, count(*) FROM logs GROUP BY window(timestamp, '1 minute'), status" "$log"
measure seed_all7 "$logstream" run -q --format spark-seed --threads 2 --sink csv \
  --sql "SELECT method, status, count(*), count(host), count(timestamp), count(endpoint), count(protocol), max(content_size) FROM logs GROUP BY method, status" "$log"
# DuckDB from npm (it ships its own binary), in the build tree; both of its routes write CSV themselves.
# Not in the smoke run: CI's tests never need the network.
peers="$root/build/bench-peers"
if [ "$smoke" = 0 ] && [ ! -d "$peers/node_modules/@duckdb/node-api" ]; then
  echo "run_e2e: installing @duckdb/node-api from npm into $peers" >&2
  npm install --silent --no-audit --no-fund --prefix "$peers" @duckdb/node-api > /dev/null
fi
if [ "$smoke" = 0 ]; then
  cp "$root/bench/duckdb_query.mjs" "$peers/"
  measure duckdb_endpoint node "$peers/duckdb_query.mjs" fields "$log" "$work/duckdb_endpoint.csv" \
    "SELECT split_part(request, ' ', 2) AS endpoint, count(*) AS n FROM logs GROUP BY 1"
  # time_bucket over the parsed time: strptime of the bracketed time and its offset.
  measure duckdb_window node "$peers/duckdb_query.mjs" fields "$log" "$work/duckdb_window.csv" \
    "SELECT CAST(epoch(time_bucket(INTERVAL '1 minute', strptime(substr(ts, 2) || ' ' || rtrim(tz, ']'), '%d/%b/%Y:%H:%M:%S %z'))) AS BIGINT) AS minute, status, count(*) AS n FROM logs GROUP BY 1, 2"
  # The seed's patterns as DuckDB's regexp_extract (RE2), the same aggregates as seed_all7.
  measure duckdb_seed node "$peers/duckdb_query.mjs" lines "$log" "$work/duckdb_seed.csv" \
    "SELECT regexp_extract(line, '\"(\\S+)\\s(\\S+)\\s*(\\S*)\"', 1) AS method, TRY_CAST(regexp_extract(line, '\\s(\\d{3})\\s', 1) AS INTEGER) AS status, count(*), count(regexp_extract(line, '(^\\S+\\.[\\S+\\.]+\\S+)\\s', 1)), count(regexp_extract(line, '\\[(\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} -\\d{4})]', 1)), count(regexp_extract(line, '\"(\\S+)\\s(\\S+)\\s*(\\S*)\"', 2)), count(regexp_extract(line, '\"(\\S+)\\s(\\S+)\\s*(\\S*)\"', 3)), max(TRY_CAST(regexp_extract(line, '\\s(\\d+)\$', 1) AS INTEGER)) FROM logs GROUP BY 1, 2"
fi
if [ "$smoke" = 0 ] && command -v goaccess > /dev/null; then
  measure goaccess goaccess "$slice" --log-format=COMBINED --no-global-config -o "$work/goaccess.json"
fi

# The counts must agree before any figure means anything.
sort "$work/mawk.out" > "$work/mawk.sorted"
for name in combined_t1 combined_t2 seed_t1 seed_t2; do
  if ! diff -q <(table_counts "$work/$name.out") "$work/mawk.sorted" > /dev/null; then
    echo "run_e2e: $name counts differ from mawk's:" >&2
    diff <(table_counts "$work/$name.out") "$work/mawk.sorted" >&2 || true
    exit 1
  fi
done
if ! diff -q <(tail -n +2 "$work/endpoint_t2.out" | cut -d, -f2- | sort) <(sort "$work/mawk_endpoint.out") > /dev/null; then
  echo "run_e2e: GROUP BY endpoint differs from mawk's \$7 counts" >&2
  exit 1
fi
if [ "$smoke" = 0 ] && ! diff -q <(tail -n +2 "$work/seed_all7.out" | cut -d, -f2- | sort) \
  <(tail -n +2 "$work/duckdb_seed.csv" | sort) > /dev/null; then
  echo "run_e2e: DuckDB's seed columns differ from logstream's spark-seed" >&2
  diff <(tail -n +2 "$work/seed_all7.out" | cut -d, -f2- | sort) <(tail -n +2 "$work/duckdb_seed.csv" | sort) | head >&2
  exit 1
fi
if [ "$smoke" = 0 ] && ! diff -q <(tail -n +2 "$work/duckdb_endpoint.csv" | sort) <(sort "$work/mawk_endpoint.out") > /dev/null; then
  echo "run_e2e: DuckDB's GROUP BY endpoint differs from mawk's \$7 counts" >&2
  exit 1
fi
if [ "$smoke" = 0 ] && ! diff -q <(tail -n +2 "$work/duckdb_window.csv" | sort) \
  <(tail -n +2 "$work/window_t2.out" | cut -d, -f2- | sort) > /dev/null; then
  echo "run_e2e: DuckDB's time_bucket counts differ from logstream's window counts" >&2
  exit 1
fi
echo "run_e2e: counts agree (logstream combined and spark-seed, 1 and 2 threads, GROUP BY endpoint, mawk; DuckDB where it ran)" >&2
if [ "$smoke" = 1 ]; then
  echo "run_e2e: smoke run done" >&2
  exit 0
fi

# watch latency and start-up
read -r latency_median latency_p99 < <("$bin/bench/watch_latency" "$logstream" 200 |
  awk '/^median_ms/{m=$2} /^p99_ms/{p=$2} END{print m, p}')
printf '%s\n' '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "x"' > "$work/one.log"
startup_ms=$(for _ in $(seq 1 21); do
  s=$(date +%s%N); "$logstream" run -q "$work/one.log" > /dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000 ))
done | sort -n | awk '{a[NR]=$1} END{printf "%.1f", a[int((NR+1)/2)]/1000}')

gbps() { awk -v b="$1" -v s="$2" 'BEGIN{printf "%.2f", b / s / 1e9}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", a / b}'; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
{
  echo "# Benchmark results"
  echo
  echo "Measured by \`bench/run_e2e.sh --size $size\` on $(date -u +%Y-%m-%d): $(nproc) cores ($cpu),"
  echo "page cache warm, best of $runs runs each, all tools side by side in one run. Input: loggen"
  echo "combined log, $bytes bytes, $lines lines. Counts of every logstream run were checked equal to mawk's."
  echo
  echo "| command | seconds | GB/s | vs mawk | peak RSS |"
  echo "|---|---|---|---|---|"
  for name in wc mawk gawk combined_t1 combined_t2 seed_t1 seed_t2; do
    case $name in
      wc) label='`wc -l` (ceiling: find newlines)' ;;
      mawk) label="\`mawk '{c[\$9]++}'\`" ;;
      gawk) label="\`gawk '{c[\$9]++}'\`" ;;
      combined_t1) label='`logstream run --format combined --threads 1`' ;;
      combined_t2) label='`logstream run --format combined --threads 2`' ;;
      seed_t1) label='`logstream run --format spark-seed --threads 1`' ;;
      seed_t2) label='`logstream run --format spark-seed --threads 2`' ;;
    esac
    echo "| $label | ${seconds[$name]} | $(gbps "$bytes" "${seconds[$name]}") | $(ratio "${seconds[mawk]}" "${seconds[$name]}")× | ${rss[$name]} KB |"
  done
  echo
  if [ -n "${seconds[goaccess]:-}" ]; then
    echo "On a $slice_bytes-byte slice: GoAccess (\`--log-format=COMBINED\`, JSON report) ${seconds[goaccess]} s"
    echo "($(gbps "$slice_bytes" "${seconds[goaccess]}") GB/s, peak RSS ${rss[goaccess]} KB); \`logstream run --format combined\` ${seconds[logstream_slice]} s:"
    echo "$(ratio "${seconds[goaccess]}" "${seconds[logstream_slice]}")× faster."
    echo
  fi
  echo "The query engine (2 threads):"
  echo
  echo "| command | seconds | GB/s | vs its mawk | peak RSS |"
  echo "|---|---|---|---|---|"
  echo "| \`mawk '{c[\$7]++}'\` | ${seconds[mawk_endpoint]} | $(gbps "$bytes" "${seconds[mawk_endpoint]}") | 1.0× | ${rss[mawk_endpoint]} KB |"
  echo "| \`SELECT endpoint, count(*) ... GROUP BY endpoint\`, every row as CSV | ${seconds[endpoint_t2]} | $(gbps "$bytes" "${seconds[endpoint_t2]}") | $(ratio "${seconds[mawk_endpoint]}" "${seconds[endpoint_t2]}")× | ${rss[endpoint_t2]} KB |"
  echo "| the same, console (20 rows shown) | ${seconds[endpoint_console]} | $(gbps "$bytes" "${seconds[endpoint_console]}") | $(ratio "${seconds[mawk_endpoint]}" "${seconds[endpoint_console]}")× | ${rss[endpoint_console]} KB |"
  echo "| \`SELECT host, endpoint, status ... WHERE status >= 400\` to jsonl | ${seconds[project_jsonl]} | $(gbps "$bytes" "${seconds[project_jsonl]}") | | ${rss[project_jsonl]} KB |"
  echo "| spark-seed, all seven columns read, GROUP BY method, status | ${seconds[seed_all7]} | $(gbps "$bytes" "${seconds[seed_all7]}") | | ${rss[seed_all7]} KB |"
  echo "| DuckDB, GROUP BY endpoint (read_csv on spaces), CSV | ${seconds[duckdb_endpoint]} | $(gbps "$bytes" "${seconds[duckdb_endpoint]}") | $(ratio "${seconds[mawk_endpoint]}" "${seconds[duckdb_endpoint]}")× | ${rss[duckdb_endpoint]} KB |"
  echo "| DuckDB, the seed's five regexp_extract, same aggregates | ${seconds[duckdb_seed]} | $(gbps "$bytes" "${seconds[duckdb_seed]}") | | ${rss[duckdb_seed]} KB |"
  echo "| \`GROUP BY window(timestamp, '1 minute'), status\`, every row as CSV | ${seconds[window_t2]} | $(gbps "$bytes" "${seconds[window_t2]}") | | ${rss[window_t2]} KB |"
  echo "| DuckDB, \`time_bucket(INTERVAL '1 minute', strptime(...))\`, status | ${seconds[duckdb_window]} | $(gbps "$bytes" "${seconds[duckdb_window]}") | | ${rss[duckdb_window]} KB |"
  echo
  echo "logstream against DuckDB (wall time, node's start-up of about 0.1 s included for DuckDB): GROUP BY"
  echo "endpoint to CSV $(ratio "${seconds[duckdb_endpoint]}" "${seconds[endpoint_t2]}")×, spark-seed with every column"
  echo "$(ratio "${seconds[duckdb_seed]}" "${seconds[seed_all7]}")×, one-minute windows by status"
  echo "$(ratio "${seconds[duckdb_window]}" "${seconds[window_t2]}")×."
  echo
  echo "Scaling: combined 2 threads / 1 thread = $(ratio "${seconds[combined_t1]}" "${seconds[combined_t2]}")×;"
  echo "spark-seed 2 threads / 1 thread = $(ratio "${seconds[seed_t1]}" "${seconds[seed_t2]}")×."
  echo
  echo "watch latency (200 one-line files moved in one at a time, drop to batch on stdout): median"
  echo "$latency_median ms, p99 $latency_p99 ms. Start-up: \`logstream run\` on a one-line file, median of 21: $startup_ms ms."
} > "$results.new"
# Every section after the generated tables (dated notes, then ## Notes) is kept as it was.
if [ -f "$results" ] && grep -q '^## ' "$results"; then
  sed -n '/^## /,$p' "$results" | { echo; cat; } >> "$results.new"
fi
mv "$results.new" "$results"
echo "run_e2e: wrote $results" >&2
cat "$results"

#!/usr/bin/env bash
# Writes the man page logstream(1) from tools/packaging/logstream.1.in, filling in what the binary itself says:
# its options (--help of the program and of `run`, `watch` and `merge`) and the columns of each format (`schema`).
# Usage: tools/scripts/make_manpage.sh LOGSTREAM_BINARY OUTPUT_FILE
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:?usage: make_manpage.sh LOGSTREAM_BINARY OUTPUT_FILE}
out=${2:?usage: make_manpage.sh LOGSTREAM_BINARY OUTPUT_FILE}

# troff text: backslashes escaped, a leading . or ' made literal.
escape() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"; }

# CLI11's option and positional lines ("  --format TEXT=auto   Line format: ...", the text on a line of
# its own after a long name) as .TP items; the other lines dropped.
options_of() {
  "$bin" "$@" --help 2>&1 | awk '
    function emit(name, text) {
      print name "\t" text
    }
    /^(Options|Positionals):/ { on = 1; next }
    /^[A-Za-z]/ { on = 0; next }
    !on { next }
    pending != "" && /^     / {
      text = $0
      sub(/^ +/, "", text)
      emit(pending, text)
      pending = ""
      next
    }
    /^  [^ ]/ {
      line = substr($0, 3)
      split_at = match(line, /  +/)
      if (split_at == 0) { pending = line; next }
      text = substr(line, split_at)
      sub(/^ +/, "", text)
      emit(substr(line, 1, split_at - 1), text)
    }' | while IFS=$'\t' read -r name text; do
    flags=${name%% *}
    rest=${name#"$flags"}
    printf '.TP\n\\fB%s\\fR%s\n%s\n' "$(printf '%s' "$flags" | sed 's/-/\\-/g')" \
      "$(printf '%s' "$rest" | escape | sed 's/^ \(.*\)$/ \\fI\1\\fR/')" "$(printf '%s' "$text" | escape)"
  done
}

columns() {
  for format in common combined vhost_combined nginx spark-seed; do
    printf '.TP\n.B %s\n.nf\n' "$format"
    "$bin" --format "$format" schema | escape
    printf '.fi\n'
  done
  local example='%h %l %u %t "%r" %>s %b %D "%{User-Agent}i"'
  printf '.TP\n.B custom\nA column per LogFormat directive; for example \\fB--log-format\\fR %s gives:\n.nf\n' \
    "'$(printf '%s' "$example" | escape)'"
  "$bin" --log-format "$example" schema | escape
  printf '.fi\n'
}

version=$("$bin" --version | awk '{print $2}')
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}" +%Y-%m-%d)
options=$(options_of)
run_options=$(options_of run)
watch_options=$(options_of watch)
merge_options=$(options_of merge)
column_text=$(columns)
# Through the environment: awk -v would read the troff backslashes as escape sequences.
export MAN_VERSION="$version" MAN_DATE="$date" MAN_OPTIONS="$options" MAN_RUN_OPTIONS="$run_options" \
  MAN_WATCH_OPTIONS="$watch_options" MAN_MERGE_OPTIONS="$merge_options" MAN_COLUMNS="$column_text"
awk '
  $0 == "@OPTIONS@" { print ENVIRON["MAN_OPTIONS"]; next }
  $0 == "@RUN_OPTIONS@" {
    print (ENVIRON["MAN_RUN_OPTIONS"] == "" ? "None beyond the options above." : ENVIRON["MAN_RUN_OPTIONS"])
    next
  }
  $0 == "@WATCH_OPTIONS@" { print ENVIRON["MAN_WATCH_OPTIONS"]; next }
  $0 == "@MERGE_OPTIONS@" { print ENVIRON["MAN_MERGE_OPTIONS"]; next }
  $0 == "@COLUMNS@" { print ENVIRON["MAN_COLUMNS"]; next }
  {
    line = $0
    gsub(/@VERSION@/, ENVIRON["MAN_VERSION"], line)
    gsub(/@DATE@/, ENVIRON["MAN_DATE"], line)
    print line
  }
' "$root/tools/packaging/logstream.1.in" > "$out"

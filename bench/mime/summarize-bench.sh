#!/usr/bin/env bash
# End-to-end `mailroom mime summarize` against Python's email doing the same work (bench/mime/summarize.py):
# one process each over COPIES copies of the corpus (messages/ + structure/), start-up included.
#   bench/mime/summarize-bench.sh [COPIES] [MAILROOM command]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
copies=${1:-20}
mailroom=${2:-"dotnet $root/src/Mailroom.Server/bin/Release/net10.0/mailroom.dll"}
set_dir=$(mktemp -d)
trap 'rm -rf "$set_dir"' EXIT
mapfile -t corpus < <(find "$root/../shared/corpus/messages" "$root/../shared/corpus/structure" -type f \( -name '*.eml' -o -name '*.msg' \) | sort)
for ((i = 0; i < copies; i++)); do
  mkdir "$set_dir/$i"
  for f in "${corpus[@]}"; do cp "$f" "$set_dir/$i/$(echo "${f#"$root"/../shared/corpus/}" | tr / _)"; done
done
files=$(find "$set_dir" -type f | wc -l)
bytes=$(find "$set_dir" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
cd "$set_dir"
run() { local start end; start=$(date +%s.%N); "$@" > /dev/null; end=$(date +%s.%N); echo "$end - $start" | bc; }
$mailroom mime summarize 0/* > /dev/null  # warm the file cache and the runtime's own files
startup=$(run $mailroom mime summarize 0/"$(ls 0 | head -1)")
ours=$(run $mailroom mime summarize */*)
python=$(run python3 "$root/bench/mime/summarize.py" */*)
awk -v n="$files" -v b="$bytes" -v s="$startup" -v o="$ours" -v p="$python" 'BEGIN {
  printf "files=%d bytes=%d\n", n, b
  printf "mailroom: one file %.2f s (start-up), all %.2f s = %.1f MB/s, %.0f msgs/s\n", s, o, b / o / 1e6, n / o
  printf "python:   all %.2f s = %.1f MB/s, %.0f msgs/s\n", p, b / p / 1e6, n / p
  printf "speed-up: %.1fx\n", p / o }'

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
# Wall and CPU (user + sys) seconds: on a shared machine the wall clock measures the neighbours too.
run() { /usr/bin/time -f "%e %U %S" -o "$set_dir/time" "$@" > /dev/null; awk '{ printf "%s %s\n", $1, $2 + $3 }' "$set_dir/time"; }
$mailroom mime summarize 0/* > /dev/null  # warm the file cache and the runtime's own files
read -r startup startup_cpu < <(run $mailroom mime summarize 0/"$(ls 0 | head -1)")
read -r ours ours_cpu < <(run $mailroom mime summarize */*)
read -r python python_cpu < <(run python3 "$root/bench/mime/summarize.py" */*)
awk -v n="$files" -v b="$bytes" -v s="$startup" -v sc="$startup_cpu" -v o="$ours" -v oc="$ours_cpu" -v p="$python" -v pc="$python_cpu" 'BEGIN {
  printf "files=%d bytes=%d\n", n, b
  printf "mailroom: one file %.2f s (%.2f s CPU); all %.2f s (%.2f s CPU) = %.1f MB/s, %.1f MB/CPU-s, %.0f msgs/s\n", s, sc, o, oc, b / o / 1e6, b / oc / 1e6, n / o
  printf "python:   all %.2f s (%.2f s CPU) = %.1f MB/s, %.1f MB/CPU-s, %.0f msgs/s\n", p, pc, b / p / 1e6, b / pc / 1e6, n / p
  printf "speed-up: %.1fx wall, %.1fx CPU\n", p / o, pc / oc }'

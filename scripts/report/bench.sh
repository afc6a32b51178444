#!/usr/bin/env bash
# Times of the dashboard's figures and of `nhan report` (issue 29), in a
# script, never in tests: `nhan report --out` against `nhan stats --json`
# on a generated project of N articles (default 10000; target: at most
# 1.5 times stats), and both on the sample project (what the dashboard
# computes when it opens: stats' pass without the consistency cases).
# Median of three runs each, after the files are in the page cache.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-10000}
DATA=target/bench-data/corpus-$N
if [ "$(cat "$DATA/.complete" 2>/dev/null)" != "$N" ]; then
    echo "generating $N articles in $DATA…" >&2
    python3 scripts/bench/gen_corpus.py "$N" "$DATA"
fi
nice cargo build -q --release
BIN=$PWD/target/release/nhan
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
median() {
    local times=()
    for _ in 1 2 3; do
        local t0 t1
        t0=$(date +%s.%N)
        "$@" >/dev/null 2>&1
        t1=$(date +%s.%N)
        times+=("$(echo "$t1 - $t0" | bc)")
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n 2p
}
for project in . "$DATA"; do
    "$BIN" --project "$project" stats --json >/dev/null 2>&1 # page cache
    s=$(median "$BIN" --project "$project" stats --json)
    r=$(median "$BIN" --project "$project" report --out "$out/report.html")
    size=$(stat -c %s "$out/report.html")
    printf '%s: stats --json %.3f s, report %.3f s (%.2f x), report %s bytes\n' \
        "$project" "$s" "$r" "$(echo "$r / $s" | bc -l)" "$size"
done

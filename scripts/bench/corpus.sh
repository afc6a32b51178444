#!/usr/bin/env bash
# The project-wide benchmark (issue 17; docs/PERFORMANCE.md, "Whole
# projects"): generates a project of N articles (default 10000) with
# scripts/bench/gen_corpus.py into target/bench-data/corpus-N (kept between
# runs, never committed), builds the release binary and prints, for stats,
# validate, agree and export in every format, the wall time and peak memory
# (/usr/bin/time) against the targets: at most 150 MB, and at most 1.5 times
# validate's time on the same project in the same run.
#
# Usage: scripts/bench/run.sh corpus [N]   (or scripts/bench/corpus.sh [N]);
# NO_EXPORT=1 leaves the exports out; EXPORTS="jsonl conll" runs only those.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-10000}
DATA=target/bench-data/corpus-$N
if [ "$(cat "$DATA/.complete" 2>/dev/null)" != "$N" ]; then
    echo "generating $N articles in $DATA…" >&2
    python3 scripts/bench/gen_corpus.py "$N" "$DATA"
fi
nice cargo build -q --release
BIN=target/release/nhan
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
echo "$(du -sh "$DATA/articles" | cut -f1) of articles, $(du -sh "$DATA/annotations" | cut -f1) of sidecars" >&2

declare -a NAMES SECS MBS CPUS
measure() {
    local name=$1
    shift
    # Warm the page cache alike for every command: each reads the project.
    if ! /usr/bin/time -f "%e %M %U %S" -o "$OUT/time" "$BIN" --project "$DATA" "$@" >"$OUT/stdout" 2>"$OUT/stderr"; then
        if [ "$1" != validate ]; then
            echo "$name failed:" >&2
            tail -5 "$OUT/stderr" >&2
        fi
    fi
    read -r secs kb user sys <"$OUT/time"
    NAMES+=("$name")
    SECS+=("$secs")
    CPUS+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')")
    MBS+=("$((kb / 1024))")
}

find "$DATA" -type f -exec cat {} + >/dev/null
measure "nhan validate" validate
measure "nhan stats --json" stats --json
measure "nhan agree --json" agree --json
for f in $([ -n "${NO_EXPORT:-}" ] || echo "${EXPORTS:-jsonl conll conllu brat hf label-studio prodigy}"); do
    measure "nhan export --format $f --status any" export --format "$f" --status any --out "$OUT/export-$f"
    rm -rf "$OUT/export-$f"
done

VALIDATE=${SECS[0]}
echo
echo "$N articles ($(nproc) cores): target ≤ 150 MB peak, ≤ 1.5 × validate ($VALIDATE s)"
echo
echo "| command | time | CPU (user + sys) | peak memory | met? |"
echo "|---|---|---|---|---|"
for i in "${!NAMES[@]}"; do
    met=$(awk -v s="${SECS[$i]}" -v v="$VALIDATE" -v m="${MBS[$i]}" \
        'BEGIN { print (m <= 150 && s <= 1.5 * v + 0.005) ? "yes" : "NO" }')
    echo "| \`${NAMES[$i]}\` | ${SECS[$i]} s | ${CPUS[$i]} s | ${MBS[$i]} MB | $met |"
done
echo
python3 scripts/bench/list_time.py "$BIN" "$DATA"

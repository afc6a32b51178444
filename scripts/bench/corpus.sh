#!/usr/bin/env bash
# The project-wide benchmark (issue 17; docs/PERFORMANCE.md, "Whole
# projects"): generates a project of N articles (default 10000) with
# scripts/bench/gen_corpus.py into target/bench-data/corpus-N (kept between
# runs, never committed), builds the release binary and prints, for stats,
# validate, agree and export in every format, the wall time and peak memory
# (/usr/bin/time) against the targets: at most 150 MB, and at most 1.5 times
# validate's time on the same project in the same run.
#
# ext4 skips recently freed inodes while it looks for free ones, rescanning
# them for each new file: removing 60,000 files a few minutes before a brat
# export (another run's) made it up to nine times slower. So each brat
# export here writes a new folder, all removed when the benchmark ends;
# leave a few minutes before running it again.
#
# Usage: scripts/bench/run.sh corpus [N]   (or scripts/bench/corpus.sh [N]);
# NO_EXPORT=1 leaves the exports out; EXPORTS="jsonl conll" runs only those;
# REPEAT=5 runs each command five times (median); OUT_ROOT=/dev/shm.
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
# Beside the project, on its disk, as a user would export (OUT_ROOT=/dev/shm
# exports to memory instead: what nhan costs without the file system's part).
OUT=$(mktemp -d -p "${OUT_ROOT:-target/bench-data}")
trap 'rm -rf "$OUT"' EXIT
echo "$(du -sh "$DATA/articles" | cut -f1) of articles, $(du -sh "$DATA/annotations" | cut -f1) of sidecars" >&2

declare -a NAMES SECS MBS CPUS
# Each command runs REPEAT times (default 3) and its median run counts:
# this machine is shared, and one slow run of validate would move every
# ratio.
REPEAT=${REPEAT:-3}
measure() {
    local name=$1
    shift
    : >"$OUT/runs"
    for _ in $(seq "$REPEAT"); do
        if ! /usr/bin/time -f "%e %M %U %S" -o "$OUT/time" "$BIN" --project "$DATA" "$@" >"$OUT/stdout" 2>"$OUT/stderr"; then
            if [ "$1" != validate ]; then
                echo "$name failed:" >&2
                tail -5 "$OUT/stderr" >&2
            fi
        fi
        cat "$OUT/time" >>"$OUT/runs"
        # An export of many files (brat) is kept until the end (see above);
        # a large one goes at once, so that its dirty pages do not slow the
        # next run's writes.
        if [ "$1" = export ] && [ -d "$OUT/export" ]; then
            if [ "$(find "$OUT/export" -type f | head -101 | wc -l)" -gt 100 ]; then
                mv "$OUT/export" "$OUT/done-$RANDOM$RANDOM"
            else
                rm -rf "$OUT/export"
            fi
        fi
    done
    read -r secs kb user sys < <(sort -n "$OUT/runs" | sed -n "$(((REPEAT + 1) / 2))p")
    NAMES+=("$name")
    SECS+=("$secs")
    CPUS+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')")
    MBS+=("$(($(sort -k2 -n "$OUT/runs" | tail -1 | cut -d' ' -f2) / 1024))")
}

find "$DATA" -type f -exec cat {} + >/dev/null
measure "nhan validate" validate
measure "nhan stats --json" stats --json
measure "nhan agree --json" agree --json
for f in $([ -n "${NO_EXPORT:-}" ] || echo "${EXPORTS:-jsonl conll conllu brat hf label-studio prodigy}"); do
    measure "nhan export --format $f --status any" export --format "$f" --status any --out "$OUT/export"
done

VALIDATE=${SECS[0]}
echo
echo "$N articles ($(nproc) cores, median of $REPEAT runs): target ≤ 150 MB peak, ≤ 1.5 × validate ($VALIDATE s)"
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

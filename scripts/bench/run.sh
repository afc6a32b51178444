#!/usr/bin/env bash
# One command for the end-to-end figures of issue 6 (docs/PERFORMANCE.md):
# generates the inputs deterministically into target/bench-data/ (kept
# between runs, never committed), builds the release binary, runs it in a
# pseudo-terminal and prints a Markdown table: target | measured | met?
#
# `scripts/bench/run.sh corpus [N]` runs only the project-wide benchmark
# (stats, validate, agree, export over N articles; see corpus.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${1:-}" = corpus ]; then
    shift
    exec scripts/bench/corpus.sh "$@"
fi
DATA=target/bench-data
echo "generating inputs in $DATA (first run only) and timing a sidecar save…" >&2
SAVE_MS=$(cargo bench -q --bench gen -- "$DATA" | awk '/^save_ms/ {print $2}')
cargo build -q --release
python3 scripts/bench/pty_bench.py target/release/nhan "$DATA" "$SAVE_MS"
scripts/bench/corpus.sh

#!/usr/bin/env bash
# Runs the whole test suite (`cargo test --no-fail-fast`) N times in a row and tallies the
# runs: a test that fails now and then shows up here, not on a
# contributor's first `cargo test`.
#
#   scripts/test-loop.sh [N] [--fresh] [--keep]
#
#   N        how many runs (default 20)
#   --fresh  build in a new, empty CARGO_TARGET_DIR, as a fresh clone
#            would: the first run includes the whole build, the later
#            runs reuse it. Removed at the end unless --keep.
#
# After each run: its number, passed or FAILED (with the failing tests),
# its time, and the tally so far ("N passed, M failed"); the same tally at
# the end. Each run's output is kept in $LOG_DIR (default: a new temp
# folder, printed first). Exit status: 0 if every run passed, 1 if not.
set -u

runs=20
fresh=0
keep=0
for arg in "$@"; do
    case "$arg" in
        --fresh) fresh=1 ;;
        --keep) keep=1 ;;
        ''|*[!0-9]*)
            echo "usage: $0 [N] [--fresh] [--keep]" >&2
            exit 2
            ;;
        *) runs=$arg ;;
    esac
done

cd "$(dirname "$0")/.." || exit 1
LOG_DIR=${LOG_DIR:-$(mktemp -d -t nhan-test-loop.XXXXXX)}
mkdir -p "$LOG_DIR"
echo "logs: $LOG_DIR"

if [ "$fresh" = 1 ]; then
    CARGO_TARGET_DIR=$(mktemp -d -t nhan-target.XXXXXX)
    export CARGO_TARGET_DIR
    echo "fresh build directory: $CARGO_TARGET_DIR"
    if [ "$keep" = 0 ]; then
        trap 'rm -rf "$CARGO_TARGET_DIR"' EXIT
    fi
fi

passed=0
failed=0
for i in $(seq 1 "$runs"); do
    log="$LOG_DIR/run-$i.log"
    start=$SECONDS
    # --no-fail-fast: every test binary runs, so a run names all its failures.
    if cargo test --no-fail-fast --color never >"$log" 2>&1; then
        passed=$((passed + 1))
        result="passed"
    else
        failed=$((failed + 1))
        # libtest prints "---- <name> stdout ----" before a failure's output.
        names=$(sed -n 's/^---- \(.*\) stdout ----$/\1/p' "$log" | sort -u | tr '\n' ' ')
        result="FAILED ${names:-(no test named: see the log)}"
    fi
    echo "run $i/$runs: $result ($((SECONDS - start)) s); $passed passed, $failed failed"
done

echo "$passed passed, $failed failed (of $runs runs)"
[ "$failed" = 0 ]

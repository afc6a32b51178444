#!/usr/bin/env bash
# Interop check: exports projects in every format with the release build and
# loads the output with pinned spaCy, seqeval and Hugging Face datasets
# (scripts/interop/check.py). Fails on any error, any misalignment warning,
# or any entity count that differs from what nhan exported.
#
# The venv lives in target/interop-venv and is reused while
# requirements.txt and constraints.txt are unchanged. Needs python3 (3.11 is what CI has) and
# PyPI. Projects checked: tests/fixtures/export/project (status reviewed),
# and the repo's own sample corpus when annotations/ holds sidecars.
set -euo pipefail
cd "$(dirname "$0")/../.."

PYTHON=${PYTHON:-python3}
VENV=target/interop-venv
REQ=scripts/interop/requirements.txt
CON=scripts/interop/constraints.txt
STAMP=$(cat "$REQ" "$CON" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$VENV/.nhan-stamp" 2>/dev/null)" != "$STAMP" ] || ! "$VENV/bin/python" -c 'import spacy, seqeval, datasets' 2>/dev/null; then
    echo "interop: building $VENV from $REQ" >&2
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ" -c "$CON"
    echo "$STAMP" > "$VENV/.nhan-stamp"
fi

cargo build --release --quiet
export HF_DATASETS_OFFLINE=1 HF_HUB_OFFLINE=1 HF_HOME="$PWD/target/interop/hf-home"
export NHAN_HF_CACHE="$PWD/target/interop/hf-cache"

# check NAME PROJECT STATUS
check() {
    local name=$1 project=$2 status=$3
    local out=target/interop/$name
    rm -rf "$out" "$NHAN_HF_CACHE"
    mkdir -p "$out/logs"
    for f in jsonl brat hf; do
        cargo run --release --quiet -- --project "$project" export --format "$f" --status "$status" \
            --out "$out/$f" 2>"$out/logs/$f.txt"
    done
    for s in iob2 iob1 bioes; do
        cargo run --release --quiet -- --project "$project" export --format conll --scheme "$s" \
            --status "$status" --out "$out/conll-$s" 2>"$out/logs/conll-$s.txt"
    done
    echo "interop: $project: $(grep '^exported' "$out/logs/conll-iob2.txt")" >&2
    "$VENV/bin/python" scripts/interop/check.py --project "$project" --exports "$out"
}

check fixture tests/fixtures/export/project reviewed
if compgen -G "annotations/*.json" >/dev/null; then
    check sample . reviewed
else
    echo "interop: annotations/ holds no sidecars yet; checked the fixture project only" >&2
fi

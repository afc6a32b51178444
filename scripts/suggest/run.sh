#!/usr/bin/env bash
# nhan's suggestions beside a plain CRF (python-crfsuite) on the same folds
# of the repository's sample (scripts/suggest/crf_compare.py), with the
# release build. Prints the table the README's "How good they are" quotes.
# The venv lives in target/crf-venv and is reused while requirements.txt is
# unchanged. Needs python3 and PyPI. The sample is copied first: nothing is
# written into the repository's own project.
set -euo pipefail
cd "$(dirname "$0")/../.."

PYTHON=${PYTHON:-python3}
VENV=target/crf-venv
REQ=scripts/suggest/requirements.txt
STAMP=$(sha256sum < "$REQ" | cut -d' ' -f1)
if [ "$(cat "$VENV/.nhan-stamp" 2>/dev/null)" != "$STAMP" ] || ! "$VENV/bin/python" -c 'import pycrfsuite' 2>/dev/null; then
    echo "crf_compare: building $VENV from $REQ" >&2
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ"
    echo "$STAMP" > "$VENV/.nhan-stamp"
fi

cargo build --release --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r articles annotations nhan.toml "$tmp/"
"$VENV/bin/python" scripts/suggest/crf_compare.py --nhan target/release/nhan --project "$tmp" "$@"

#!/usr/bin/env bash
# Compares `nhan agree --json` with reference implementations (scikit-learn,
# krippendorff, nervaluate, statsmodels) on a hand-made project and seeded
# random ones; exits non-zero on any difference larger than 1e-9.
#
# The Python packages live in target/agree-venv, built from
# scripts/agree/requirements.txt and rebuilt only when that file changes.
# Options are passed to check.py (--seeds N, --keep DIR).
set -euo pipefail
cd "$(dirname "$0")/../.."

req=scripts/agree/requirements.txt
venv=target/agree-venv
stamp=$venv/requirements.sha256
want=$(sha256sum "$req" | cut -d' ' -f1)

python=""
for p in python3.11 python3; do
    if command -v "$p" >/dev/null 2>&1; then python=$p; break; fi
done
if [ -z "$python" ]; then
    echo "agree check: no python3 found" >&2
    exit 1
fi

if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "agree check: building $venv from $req"
    rm -rf "$venv"
    mkdir -p target
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$req"
    echo "$want" > "$stamp"
fi

cargo build --release --quiet
exec "$venv/bin/python" scripts/agree/check.py "$@"

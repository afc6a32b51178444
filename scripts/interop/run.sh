#!/usr/bin/env bash
# Interop check: exports projects in every format with the release build and
# loads the output with pinned spaCy, seqeval and Hugging Face datasets
# (scripts/interop/check.py), notes and attributes with bratly
# (check_brat_notes.py), relations with bratly and against the sidecars
# (check_relations.py), and the Label Studio export with the pinned
# label-studio-sdk converter and LabelInterface (check_label_studio.py, in
# a venv of its own).
# Fails on any error, any misalignment warning, any entity count that
# differs from what nhan exported, or a format that does not round-trip.
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
if [ "$(cat "$VENV/.nhan-stamp" 2>/dev/null)" != "$STAMP" ] || ! "$VENV/bin/python" -c 'import spacy, seqeval, datasets, bratly.io' 2>/dev/null; then
    echo "interop: building $VENV from $REQ" >&2
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ" -c "$CON"
    echo "$STAMP" > "$VENV/.nhan-stamp"
fi

LS_VENV=target/interop-ls-venv
LS_REQ=scripts/interop/label-studio-requirements.txt
LS_CON=scripts/interop/label-studio-constraints.txt
LS_STAMP=$(cat "$LS_REQ" "$LS_CON" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$LS_VENV/.nhan-stamp" 2>/dev/null)" != "$LS_STAMP" ] || ! "$LS_VENV/bin/python" -c 'import label_studio_sdk.converter' 2>/dev/null; then
    echo "interop: building $LS_VENV from $LS_REQ" >&2
    rm -rf "$LS_VENV"
    "$PYTHON" -m venv "$LS_VENV"
    "$LS_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$LS_REQ" -c "$LS_CON"
    echo "$LS_STAMP" > "$LS_VENV/.nhan-stamp"
fi

# NHAN=path/to/nhan checks that binary instead of a release build.
if [ -z "${NHAN:-}" ]; then
    cargo build --release --quiet
    NHAN=target/release/nhan
fi
export HF_DATASETS_OFFLINE=1 HF_HUB_OFFLINE=1 HF_HOME="$PWD/target/interop/hf-home"
export NHAN_HF_CACHE="$PWD/target/interop/hf-cache"

# check NAME PROJECT STATUS
check() {
    local name=$1 project=$2 status=$3
    local out=target/interop/$name
    rm -rf "$out" "$NHAN_HF_CACHE"
    mkdir -p "$out/logs"
    for f in jsonl brat hf label-studio prodigy; do
        "$NHAN" --project "$project" export --format "$f" --status "$status" \
            --out "$out/$f" 2>"$out/logs/$f.txt"
    done
    for s in iob2 iob1 bioes; do
        "$NHAN" --project "$project" export --format conll --scheme "$s" \
            --status "$status" --out "$out/conll-$s" 2>"$out/logs/conll-$s.txt"
    done
    for s in iob2 bioes; do
        "$NHAN" --project "$project" export --format conllu --scheme "$s" \
            --status "$status" --out "$out/conllu-$s" 2>"$out/logs/conllu-$s.txt"
    done
    echo "interop: $project: $(grep '^exported' "$out/logs/conll-iob2.txt")" >&2
    "$VENV/bin/python" scripts/interop/check.py --project "$project" --exports "$out"
    "$VENV/bin/python" scripts/interop/check_relations.py --project "$project" --exports "$out"
    "$LS_VENV/bin/python" scripts/interop/check_label_studio.py --exports "$out"
    roundtrip "$project" "$status" "$out"
    "$VENV/bin/python" scripts/interop/check_relations.py --project "$project" --roundtrips "$out"
}

# Each format that holds everything comes back byte for byte: export,
# import into an empty project (as reviewed: brat holds no status), export
# again.
roundtrip() {
    local project=$1 status=$2 out=$3
    for f in jsonl brat label-studio prodigy; do
        local p="$out/rt-$f"
        rm -rf "$p" && mkdir -p "$p"
        cp "$project/nhan.toml" "$p/"
        local input="$out/$f"
        case $f in
            jsonl | prodigy) input="$out/$f/data.jsonl" ;;
            label-studio) input="$out/$f/data.json" ;;
        esac
        # A format without review decisions (doccano, brat) comes in
        # reviewed only with a named reviewer for its undecided spans.
        "$NHAN" --project "$p" import --format "$f" --status reviewed --reviewer interop \
            "$input" 2>"$out/logs/rt-import-$f.txt" || {
            echo "interop: FAIL: $f does not import back ($out/logs/rt-import-$f.txt):" >&2
            cat "$out/logs/rt-import-$f.txt" >&2
            exit 1
        }
        "$NHAN" --project "$p" export --format "$f" --status "$status" --out "$p/out" 2>"$out/logs/rt-$f.txt"
        if ! diff -r -x nhan-export.json "$out/$f" "$p/out" >/dev/null; then
            echo "interop: FAIL: $f does not round-trip (diff -r $out/$f $p/out)" >&2
            exit 1
        fi
    done
    echo "interop: jsonl, brat, label-studio, prodigy round-trip byte for byte" >&2
}

check fixture tests/fixtures/export/project reviewed
# Notes and attributes: every format, the round trips, and bratly reading
# brat's `#` and `A` lines back.
check notes tests/fixtures/notes/project reviewed
"$VENV/bin/python" scripts/interop/check_brat_notes.py --project tests/fixtures/notes/project --brat target/interop/notes/brat
if compgen -G "annotations/*.json" >/dev/null; then
    check sample . reviewed
else
    echo "interop: annotations/ holds no sidecars yet; checked the fixture project only" >&2
fi

"""Reads nhan's brat export of a project with notes and attributes with
bratly (a brat standoff parser from PyPI, pinned in requirements.txt) and
checks that every span's note (`#` AnnotatorNotes) and attribute (`A`
lines) comes back as the sidecar holds it, and that annotation.conf
declares every attribute used. Usage:

    check_brat_notes.py --project DIR --brat EXPORT_DIR
"""

import argparse
import json
import pathlib
import sys

from bratly import AttributeAnnotation, EntityAnnotation, NoteAnnotation
from bratly.io import parse_ann_file


def fail(msg):
    print(f"interop: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--project", required=True)
    ap.add_argument("--brat", required=True)
    args = ap.parse_args()
    project = pathlib.Path(args.project)
    brat = pathlib.Path(args.brat)
    anns = sorted(brat.rglob("*.ann"))
    if not anns:
        fail(f"brat notes: no .ann file under {brat}")
    notes = attributes = 0
    for ann in anns:
        sidecar = json.loads((project / "annotations" / f"{ann.stem}.json").read_text("utf-8"))
        want = {}
        for s in sidecar["spans"]:
            want[(s["start"], s["end"], s["label"])] = (s.get("note"), s.get("attrs", {}))
        col = parse_ann_file(ann.read_text("utf-8"), str(ann), no_duplicates=False, sorting=False, renumerotize=False)
        got = {}
        key_of = {}
        for a in col.annotations:
            if isinstance(a, EntityAnnotation):
                k = (a.fragments[0].start, a.fragments[-1].end, a.label)
                key_of[a.id] = k
                got[k] = [None, {}]
        for a in col.annotations:
            if isinstance(a, NoteAnnotation):
                got[key_of[a.component.id]][0] = a.value
                notes += 1
            elif isinstance(a, AttributeAnnotation):
                value = a.values[0] if a.values else True
                got[key_of[a.component.id]][1][a.label] = value
                attributes += 1
        for k, (note, attrs) in want.items():
            if k not in got:
                fail(f"brat notes: {ann}: no entity {k}")
            if got[k][0] != note:
                fail(f"brat notes: {ann}: {k}: note {got[k][0]!r}, the sidecar says {note!r}")
            if got[k][1] != attrs:
                fail(f"brat notes: {ann}: {k}: attributes {got[k][1]!r}, the sidecar says {attrs!r}")
        conf = (ann.parent / "annotation.conf").read_text("utf-8")
        declared = conf.split("[attributes]", 1)[1]
        for _, attrs in want.values():
            for name, value in attrs.items():
                line = next((l for l in declared.splitlines() if l.split("\t")[0] == name), None)
                if line is None:
                    fail(f"brat notes: {ann.parent}/annotation.conf does not declare attribute {name}")
                if value is not True and f"Value:" in line and value not in line.split("Value:")[1].split("|"):
                    fail(f"brat notes: annotation.conf: {name} does not list value {value!r}")
    if notes == 0 or attributes == 0:
        fail(f"brat notes: read {notes} notes and {attributes} attributes; expected some of each")
    print(f"interop: bratly read {notes} notes and {attributes} attributes back from {len(anns)} .ann files", file=sys.stderr)


if __name__ == "__main__":
    main()

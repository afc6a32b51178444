"""Reads nhan's Label Studio export with the pinned label-studio-sdk
converter and checks that it finds the same entities nhan exported.

    check_label_studio.py --exports ROOT

ROOT/label-studio holds the export (data.json or train/dev/test.json,
labeling-config.xml, nhan-export.json) and ROOT/jsonl the doccano export of
the same project, whose spans are the reference. The converter's JSON_MIN
output must hold every span (nested ones included) with its text, and its
CoNLL 2003 conversion must run.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

from label_studio_sdk.converter import Converter


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exports", type=Path, required=True)
    a = ap.parse_args()
    d = a.exports / "label-studio"
    m = json.loads((d / "nhan-export.json").read_text(encoding="utf-8"))
    conv = Converter(config=str(d / "labeling-config.xml"), project_dir=None, download_resources=False)
    want = set()
    for part in json.loads((a.exports / "jsonl" / "nhan-export.json").read_text(encoding="utf-8"))["parts"]:
        for line in (a.exports / "jsonl" / f"{part['name']}.jsonl").read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            for s, e, label in r["label"]:
                want.add((r["article"], s, e, label, r["text"][s:e]))
    got = set()
    failures = []
    for part in m["parts"]:
        src = d / f"{part['name']}.json"
        with tempfile.TemporaryDirectory() as tmp:
            conv.convert_to_json_min(str(src), tmp, is_dir=False)
            records = json.loads((Path(tmp) / "result.json").read_text(encoding="utf-8"))
            conv.convert_to_conll2003(str(src), tmp, is_dir=False)
            conll = (Path(tmp) / "result.conll").read_text(encoding="utf-8")
        if len(records) != len(part["articles"]):
            failures.append(f"{src}: the converter read {len(records)} tasks, the manifest lists {len(part['articles'])}")
        for r in records:
            for region in r.get("label", []):
                for label in region["labels"]:
                    got.add((r["article"], region["start"], region["end"], label, region["text"]))
        if part["articles"] and "-DOCSTART-" not in conll:
            failures.append(f"{src}: the CoNLL 2003 conversion wrote nothing")
    if got != want:
        failures.append(f"label-studio: the converter read {len(got)} entities, the jsonl export holds {len(want)}; "
                        f"missing {sorted(want - got)[:5]}, extra {sorted(got - want)[:5]}")
    print(f"interop check of {d}:")
    print(f"  {'label-studio-sdk converter (JSON_MIN regions)':48} {len(got)}")
    if failures:
        for f in failures:
            print(f"FAIL: {f}", file=sys.stderr)
        sys.exit(1)
    print("interop: ok")


if __name__ == "__main__":
    main()

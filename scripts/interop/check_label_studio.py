"""Reads nhan's Label Studio export with the pinned label-studio-sdk
converter and checks that it finds the same entities nhan exported.

    check_label_studio.py --exports ROOT

ROOT/label-studio holds the export (data.json or train/dev/test.json,
labeling-config.xml, nhan-export.json) and ROOT/jsonl the doccano export of
the same project, whose spans and relations are the reference. The
converter's JSON_MIN output must hold every span (nested ones included)
with its text, and its CoNLL 2003 conversion must run. The SDK's
LabelInterface validates each annotation against the config (a relation's
from_id and to_id must be regions of it), and the relation results, read
as Label Studio draws them (direction "left" points from to_id to
from_id), must be the doccano export's relations, each type declared
under <Relations>.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

import xml.etree.ElementTree as ET

from label_studio_sdk.converter import Converter
from label_studio_sdk.label_interface import LabelInterface


def doccano_spans(r):
    """A doccano line's spans: its `label` list, or its `entities` (what
    relation projects write)."""
    if "entities" in r:
        return [[e["start_offset"], e["end_offset"], e["label"]] for e in r["entities"]]
    return r["label"]


def doccano_relations(r):
    ents = {e["id"]: (e["start_offset"], e["end_offset"], e["label"]) for e in r.get("entities", [])}
    return {(r["article"], ents[x["from_id"]], ents[x["to_id"]], x["type"]) for x in r.get("relations", [])}


def task_relations(task, failures):
    """The relation results of the task's annotation, as (article, from
    span, to span, type)."""
    result = task["annotations"][0]["result"]
    region = {r["id"]: (r["value"]["start"], r["value"]["end"], r["value"]["labels"][0])
              for r in result if r.get("type") == "labels"}
    out = set()
    for r in result:
        if r.get("type") != "relation":
            continue
        a, b = region.get(r["from_id"]), region.get(r["to_id"])
        if a is None or b is None:
            failures.append(f"{task['data']['article']}: a relation names a region that is not there")
            continue
        if r["direction"] == "left":
            a, b = b, a
        for t in r["labels"]:
            out.add((task["data"]["article"], a, b, t))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exports", type=Path, required=True)
    a = ap.parse_args()
    d = a.exports / "label-studio"
    m = json.loads((d / "nhan-export.json").read_text(encoding="utf-8"))
    conv = Converter(config=str(d / "labeling-config.xml"), project_dir=None, download_resources=False)
    config = (d / "labeling-config.xml").read_text(encoding="utf-8")
    interface = LabelInterface(config)
    declared = {r.attrib["value"] for r in ET.fromstring(config).iter("Relation")}
    want = set()
    want_relations = set()
    for part in json.loads((a.exports / "jsonl" / "nhan-export.json").read_text(encoding="utf-8"))["parts"]:
        for line in (a.exports / "jsonl" / f"{part['name']}.jsonl").read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            want_relations |= doccano_relations(r)
            for s, e, label in doccano_spans(r):
                want.add((r["article"], s, e, label, r["text"][s:e]))
    got = set()
    got_relations = set()
    failures = []
    for part in m["parts"]:
        src = d / f"{part['name']}.json"
        for task in json.loads(src.read_text(encoding="utf-8")):
            errors = interface.validate_prediction(task["annotations"][0], return_errors=True)
            if errors:
                failures.append(f"{src}: {task['data']['article']}: LabelInterface: {errors[:3]}")
            got_relations |= task_relations(task, failures)
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
    if got_relations != want_relations:
        failures.append(f"label-studio: {len(got_relations)} relation results, the jsonl export holds {len(want_relations)}; "
                        f"missing {sorted(want_relations - got_relations)[:3]}, extra {sorted(got_relations - want_relations)[:3]}")
    undeclared = {r[3] for r in got_relations} - declared
    if undeclared:
        failures.append(f"label-studio: relation types not under <Relations> in labeling-config.xml: {sorted(undeclared)}")
    print(f"interop check of {d}:")
    print(f"  {'label-studio-sdk converter (JSON_MIN regions)':48} {len(got)}")
    print(f"  {'relation results (LabelInterface-valid)':48} {len(got_relations)}")
    if failures:
        for f in failures:
            print(f"FAIL: {f}", file=sys.stderr)
        sys.exit(1)
    print("interop: ok")


if __name__ == "__main__":
    main()

"""Checks the relations of nhan's exports against the project's sidecars:
brat's `R` lines as bratly (a brat standoff parser from PyPI, pinned in
requirements.txt) reads them, doccano's `relations`, Prodigy's
`relations` (rel.manual's shape), and each manifest's count; the formats
without relations must count every one as lost. Each relation is compared
as (article, from span, to span, type), a span as (start, end, label).

    check_relations.py --project DIR --exports ROOT
    check_relations.py --project DIR --roundtrips ROOT

With --roundtrips, ROOT/rt-FORMAT are the projects an export was imported
into (scripts/interop/run.sh): their sidecars must hold the same relations
as the project's, and Label Studio's (which carries ids, annotators and
decisions) the same sidecars byte for byte.
"""

import argparse
import json
import pathlib
import sys
import warnings

failures = []


def fail(msg):
    failures.append(msg)
    print(f"interop: FAIL: {msg}", file=sys.stderr)


def manifest(d):
    return json.loads((d / "nhan-export.json").read_text(encoding="utf-8"))


def exported_articles(d):
    return {a for p in manifest(d)["parts"] for a in p["articles"]}


def sidecar_relations(project, articles=None):
    """The relations of the project's sidecars (of `articles` if given)."""
    out = set()
    for sc in sorted((project / "annotations").glob("*.json")):
        data = json.loads(sc.read_text(encoding="utf-8"))
        if articles is not None and data["article"] not in articles:
            continue
        span = {s["id"]: (s["start"], s["end"], s["label"]) for s in data["spans"]}
        for r in data.get("relations", []):
            if r["from"] not in span or r["to"] not in span:
                fail(f"{sc}: relation {r['id']} has an end that is no span")
                continue
            out.add((data["article"], span[r["from"]], span[r["to"]], r["label"]))
    return out


def part_dirs(d):
    m = manifest(d)
    split = m["split"] is not None
    return [(p, d / p["name"] if split else d) for p in m["parts"]]


def brat_relations(root):
    """The `R` lines as bratly reads them, and the types annotation.conf declares."""
    from bratly import EntityAnnotation, RelationAnnotation
    from bratly.io import parse_ann_file

    d = root / "brat"
    got, declared = set(), set()
    for part, pd in part_dirs(d):
        conf = (pd / "annotation.conf").read_text(encoding="utf-8")
        section = None
        for line in conf.splitlines():
            if line.startswith("["):
                section = line.strip()
            elif section == "[relations]" and line.strip() and not line.startswith(("#", "<")):
                declared.add(line.split("\t")[0])
        for art in part["articles"]:
            ann = pd / f"{art[:-4]}.ann"
            text = ann.read_text(encoding="utf-8")
            r_lines = sum(1 for line in text.splitlines() if line.startswith("R"))
            # bratly warns and skips a line it cannot parse: that is a failure here.
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                col = parse_ann_file(text, str(ann), no_duplicates=False, sorting=False, renumerotize=False)
            rels = [a for a in col.annotations if isinstance(a, RelationAnnotation)]
            if len(rels) != r_lines:
                fail(f"bratly: {ann}: read {len(rels)} relations of {r_lines} R lines")
            for a in rels:
                ends = []
                for _, e in (a.argument1, a.argument2):
                    assert isinstance(e, EntityAnnotation)
                    ends.append((e.fragments[0].start, e.fragments[-1].end, e.label))
                got.add((art, ends[0], ends[1], a.label))
    return got, declared


def doccano_relations(root):
    d = root / "jsonl"
    got = set()
    for part, _ in part_dirs(d):
        for line in (d / f"{part['name']}.jsonl").read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            ents = {e["id"]: (e["start_offset"], e["end_offset"], e["label"]) for e in r.get("entities", [])}
            for rel in r.get("relations", []):
                if rel["from_id"] not in ents or rel["to_id"] not in ents:
                    fail(f"jsonl: {r['article']}: relation {rel['id']} names an id that is no entity")
                    continue
                got.add((r["article"], ents[rel["from_id"]], ents[rel["to_id"]], rel["type"]))
    return got


def prodigy_relations(root):
    d = root / "prodigy"
    got = set()
    for part, _ in part_dirs(d):
        for line in (d / f"{part['name']}.jsonl").read_text(encoding="utf-8").splitlines():
            t = json.loads(line)
            art = t["meta"]["article"]
            spans = {(s["start"], s["end"], s["label"]) for s in t["spans"]}
            toks = t["tokens"]
            for rel in t.get("relations", []):
                ends = []
                for key, tok in (("head_span", "head"), ("child_span", "child")):
                    s = rel[key]
                    end = (s["start"], s["end"], s["label"])
                    if end not in spans:
                        fail(f"prodigy: {art}: a relation's {key} is not one of the task's spans")
                    # rel.manual: head/child is the span's last token, and
                    # the tokens cover the span.
                    if rel[tok] != s["token_end"] or not (
                        toks[s["token_start"]]["start"] <= s["start"] < s["end"] <= toks[s["token_end"]]["end"]
                    ):
                        fail(f"prodigy: {art}: {key} {s} does not match its tokens or {tok} {rel[tok]}")
                    ends.append(end)
                got.add((art, ends[0], ends[1], rel["label"]))
    return got


def check_exports(project, root):
    want = sidecar_relations(project, exported_articles(root / "jsonl"))
    rows = []
    brat, declared = brat_relations(root)
    used = {r[3] for r in want}
    if not used <= declared:
        fail(f"brat: annotation.conf does not declare {sorted(used - declared)}")
    for name, got in [("bratly (brat R lines)", brat), ("doccano jsonl", doccano_relations(root)),
                      ("prodigy (rel.manual)", prodigy_relations(root))]:
        rows.append((name, len(got)))
        if got != want:
            fail(f"{name}: read {len(got)} relations, the sidecars hold {len(want)}; "
                 f"missing {sorted(want - got)[:3]}, extra {sorted(got - want)[:3]}")
    for f in ["brat", "jsonl", "label-studio", "prodigy"]:
        m = manifest(root / f).get("relations", {"exported": 0, "lost": 0})
        if (m["exported"], m["lost"]) != (len(want), 0):
            fail(f"{f}: the manifest says {m}, the sidecars hold {len(want)} relations")
    for f in ["conll-iob2", "conllu-iob2", "hf"]:
        m = manifest(root / f).get("relations", {"exported": 0, "lost": 0})
        if (m["exported"], m["lost"]) != (0, len(want)):
            fail(f"{f}: the manifest says {m}; it holds no relations, so {len(want)} are lost")
    print(f"interop: relations of {root} ({len(want)} in the sidecars):")
    for name, n in rows:
        print(f"  {name:48} {n}")


def check_roundtrips(project, root):
    articles = exported_articles(root / "jsonl")
    want = sidecar_relations(project, articles)
    for f in ["brat", "jsonl", "label-studio", "prodigy"]:
        back = root / f"rt-{f}"
        got = sidecar_relations(back)
        if got != want:
            fail(f"{f}: imported back, the sidecars hold {len(got)} relations, the project {len(want)}; "
                 f"missing {sorted(want - got)[:3]}, extra {sorted(got - want)[:3]}")
    for a in sorted(articles):
        name = f"{a[:-4]}.json"
        mine = (project / "annotations" / name).read_bytes()
        theirs = (root / "rt-label-studio" / "annotations" / name).read_bytes()
        if mine != theirs:
            fail(f"label-studio: {name} imported back differs from the project's (diff {project}/annotations/{name} {root}/rt-label-studio/annotations/{name})")
    print(f"interop: {len(want)} relations come back from brat, jsonl, label-studio and prodigy; "
          f"label-studio gives the {len(articles)} sidecars back byte for byte", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--project", type=pathlib.Path, required=True)
    ap.add_argument("--exports", type=pathlib.Path)
    ap.add_argument("--roundtrips", type=pathlib.Path)
    a = ap.parse_args()
    if a.exports:
        check_exports(a.project, a.exports)
    if a.roundtrips:
        check_roundtrips(a.project, a.roundtrips)
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes a project of N articles for the project-wide benchmark
(`scripts/bench/run.sh corpus`): copies of the sample articles (articles/
and annotations/ at the top of the repository) with their gold sidecars,
and two blind annotators, `an` and `binh`, on every third article: `an` as
gold, `binh` with some spans (and the relations ending on them) dropped
and some relabelled (deterministically,
from the article's number), so agreement has something to measure.

Usage: gen_corpus.py N DIR   (DIR is replaced; nothing random, nothing
downloaded: the same N gives the same bytes)."""

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LABELS = ["PER", "ORG", "LOC", "TITLE", "DOC", "EVENT", "DATE", "MISC"]
VARIANTS = 7


LISTS = ("spans", "relations")


def sidecar_bytes(sc: dict) -> bytes:
    """nhan's own layout: one span, and one relation, a line."""
    head = {k: v for k, v in sc.items() if k not in LISTS}
    lists = [k for k in LISTS if k == "spans" or sc.get(k)]
    lines = ["{"]
    for k, v in head.items():
        lines.append(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},")
    for n, k in enumerate(lists):
        lines.append(f'  "{k}": [')
        items = [
            "    " + json.dumps(s, ensure_ascii=False, separators=(", ", ": "))
            for s in sc[k]
        ]
        lines.append(",\n".join(items))
        lines.append("  ]," if n + 1 < len(lists) else "  ]")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode()


def variant(gold: dict, v: int) -> dict:
    """binh's work on copy variant v: drops every 9th span from an offset,
    relabels every 13th."""
    out = dict(gold)
    spans = []
    kept = set()
    for j, s in enumerate(gold["spans"]):
        if (j + v) % 9 == 0:
            continue
        s = dict(s)
        s["annotator"] = "binh"
        if (j + 2 * v) % 13 == 0:
            s["label"] = LABELS[(LABELS.index(s["label"]) + 1) % len(LABELS)]
        else:
            kept.add(s["id"])
        spans.append(s)
    out["spans"] = spans
    # A relation whose end binh dropped or relabelled is not binh's (a
    # dangling end would make the file read-only; a relabelled one may not
    # fit the type).
    out["relations"] = [
        dict(r, annotator="binh")
        for r in gold.get("relations", [])
        if r["from"] in kept and r["to"] in kept
    ]
    out["status"] = "done"
    return out


def main() -> None:
    n, dest = int(sys.argv[1]), Path(sys.argv[2])
    samples = sorted((ROOT / "articles").glob("*.txt"))
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "articles").mkdir(parents=True)
    for a in ("an", "binh"):
        (dest / "annotations" / a).mkdir(parents=True)
    shutil.copy(ROOT / "nhan.toml", dest / "nhan.toml")
    base = []
    for p in samples:
        gold = json.loads((ROOT / "annotations" / f"{p.stem}.json").read_text("utf-8"))
        an = dict(gold)
        an["spans"] = [dict(s, annotator="an") for s in gold["spans"]]
        an["relations"] = [dict(r, annotator="an") for r in gold.get("relations", [])]
        an["status"] = "done"
        base.append((p.stem, p.read_bytes(), gold, an))
    width = len(str(n - 1))
    for i in range(n):
        stem0, text, gold, an = base[i % len(base)]
        stem = f"{i:0{width}d}-{stem0}"
        name = f"{stem}.txt"
        (dest / "articles" / name).write_bytes(text)
        (dest / "annotations" / f"{stem}.json").write_bytes(
            sidecar_bytes(dict(gold, article=name))
        )
        if i % 3 == 0:
            (dest / "annotations" / "an" / f"{stem}.json").write_bytes(
                sidecar_bytes(dict(an, article=name))
            )
            b = variant(gold, (i // len(base)) % VARIANTS)
            (dest / "annotations" / "binh" / f"{stem}.json").write_bytes(
                sidecar_bytes(dict(b, article=name))
            )
    (dest / ".complete").write_text(f"{n}\n")


if __name__ == "__main__":
    main()

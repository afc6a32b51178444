#!/usr/bin/env python3
"""Compares every number of `nhan agree --json` with reference implementations.

References: scikit-learn `cohen_kappa_score` and `confusion_matrix`,
`krippendorff.alpha` (nominal), nervaluate's `Evaluator` (schemes strict,
exact, partial, ent_type), statsmodels' `fleiss_kappa`; relation precision,
recall and F1 recomputed here from the rule in docs/AGREEMENT.md (multiset
matching on both ends' extents and the type). The projects are a
hand-made one (also kept as tests/fixtures/agree/three) and seeded random
ones: several annotators, random and nested spans, spans whose edges fall
inside tokens, labels outside the schema, articles some annotators skipped.

Usage: check.py [--seeds N] [--keep DIR] [--write-fixture DIR]
Environment: NHAN_BIN, the nhan binary (default: cargo run --release).
Exit status 0 when every number agrees within 1e-9, 1 otherwise.
"""

import argparse
import hashlib
import itertools
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import krippendorff
from nervaluate import Evaluator
from nervaluate.entities import EvaluationResult
from sklearn.metrics import cohen_kappa_score, confusion_matrix
from statsmodels.stats.inter_rater import fleiss_kappa

warnings.filterwarnings("ignore")

TOL = 1e-9
SCHEMES = ["strict", "exact", "partial", "ent_type"]
SCHEMA = ["PER", "ORG", "LOC", "MISC"]
# Relation types of the random projects: (name, symmetric).
RELATION_TYPES = [("rel", False), ("sym", True)]
MATCHING = "both ends' extents and the type; a symmetric type in either direction"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# --------------------------------------------------------------------------
# Projects


def write_project(path, articles, work, schema=SCHEMA, relations=None):
    """articles: {file_name: text}; work: {annotator: {file_name: [(start, end, label)]}};
    relations: {annotator: {file_name: [(from span, to span, type)]}}, spans as in work."""
    relations = relations or {}
    os.makedirs(os.path.join(path, "articles"), exist_ok=True)
    with open(os.path.join(path, "nhan.toml"), "w", encoding="utf-8") as f:
        f.write('overlap = "any"\n')
        for l in schema:
            f.write(f'\n[[labels]]\nname = "{l}"\n')
        if relations:
            for name, sym in RELATION_TYPES:
                f.write(f'\n[[relations]]\nname = "{name}"\nsymmetric = {"true" if sym else "false"}\n')
    for name, text in articles.items():
        with open(os.path.join(path, "articles", name), "w", encoding="utf-8", newline="") as f:
            f.write(text)
    for ann, docs in work.items():
        d = os.path.join(path, "annotations", ann)
        os.makedirs(d, exist_ok=True)
        for name, spans in docs.items():
            text = articles[name]
            spans = sorted(spans)
            sc = {
                "nhan": 1,
                "article": name,
                "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                "status": "done",
                "spans": [
                    {"id": i + 1, "start": s, "end": e, "label": l, "text": text[s:e], "annotator": ann}
                    for i, (s, e, l) in enumerate(spans)
                ],
            }
            rels = relations.get(ann, {}).get(name, [])
            if rels:
                id_of = {sp: i + 1 for i, sp in enumerate(spans)}
                sc["relations"] = [
                    {"id": k + 1, "from": id_of[a], "to": id_of[b], "label": t, "annotator": ann}
                    for k, (a, b, t) in enumerate(rels)
                ]
            stem = name[: -len(".txt")]
            with open(os.path.join(d, stem + ".json"), "w", encoding="utf-8") as f:
                json.dump(sc, f, ensure_ascii=False, indent=2)
                f.write("\n")


def hand_made():
    """Three annotators, three articles; thu skipped c.txt, nobody but lan did d.txt."""
    a = "Tổng Bí thư Nguyễn Phú Trọng làm việc với Ban Đối ngoại Trung ương tại Hà Nội .\n"
    b = "Ông Lê Hoài Trung , Trưởng ban , báo cáo tại hội nghị ở Đà Nẵng ngày 8 .\n"
    c = "Bộ Ngoại giao và Bộ Công an họp tại Hà Nội , TP HCM và Huế .\n"
    d = "Một bài chỉ có lan đọc .\n"
    arts = {"a.txt": a, "b.txt": b, "c.txt": c, "d.txt": d}

    def at(text, sub, label, nth=0):
        i = -1
        for _ in range(nth + 1):
            i = text.index(sub, i + 1)
        return (i, i + len(sub), label)

    work = {
        "lan": {
            "a.txt": [
                at(a, "Nguyễn Phú Trọng", "PER"),
                at(a, "Ban Đối ngoại Trung ương", "ORG"),
                at(a, "Trung ương", "ORG"),  # nested
                at(a, "Hà Nội", "LOC"),
            ],
            "b.txt": [at(b, "Lê Hoài Trung", "PER"), at(b, "Đà Nẵng", "LOC")],
            "c.txt": [at(c, "Bộ Ngoại giao", "ORG"), at(c, "Bộ Công an", "ORG"), at(c, "Hà Nội", "LOC"), at(c, "Huế", "LOC")],
            "d.txt": [at(d, "lan", "PER")],
        },
        "minh": {
            "a.txt": [
                at(a, "Tổng Bí thư Nguyễn Phú Trọng", "PER"),  # wider
                at(a, "Ban Đối ngoại Trung ương", "ORG"),
                at(a, "Hà Nội", "LOC"),
            ],
            "b.txt": [at(b, "Lê Hoài Trung", "PER"), at(b, "Trưởng ban", "MISC"), (b.index("Đà Nẵng"), b.index("Đà Nẵng") + 5, "LOC")],  # ends inside a token
            "c.txt": [at(c, "Bộ Ngoại giao", "ORG"), at(c, "Công an", "ORG"), at(c, "Hà Nội", "ORG"), at(c, "TP HCM", "LOC")],
        },
        "thu": {
            "a.txt": [
                at(a, "Nguyễn Phú Trọng", "PER"),
                at(a, "Ban Đối ngoại Trung ương", "LOC"),  # wrong label
                at(a, "Hà Nội", "LOC"),
            ],
            "b.txt": [at(b, "Lê Hoài Trung", "PER"), at(b, "Đà Nẵng", "LOC"), at(b, "hội nghị", "EVENT")],  # label outside the schema
        },
    }
    return arts, work


VOCAB = (
    "Nguyễn Văn An Trần Thị Bình Hà Nội Đà Nẵng Huế Bộ Công an Ngoại giao Ban Trung ương "
    "Quốc hội Chính phủ ngày tháng năm họp bàn về kinh tế với tại và của các những được đã "
    "sẽ ông bà thành phố tỉnh huyện xã Việt Nam Lào Campuchia 2022 8 15"
).split()
PUNCT = [",", ".", "(", ")", "-", ":"]


def random_text(rng, n_tokens):
    out = []
    for i in range(n_tokens):
        w = rng.choice(PUNCT) if rng.random() < 0.12 else rng.choice(VOCAB)
        sep = "\n" if rng.random() < 0.05 else ("  " if rng.random() < 0.05 else " ")
        out.append(w + sep)
    return "".join(out)


def random_project(seed):
    rng = random.Random(seed)
    n_art = rng.randint(2, 5)
    n_ann = rng.randint(2, 5)
    labels = SCHEMA + (["XTRA"] if rng.random() < 0.3 else [])
    mode = rng.choice(["normal"] * 5 + ["dense"] * 3 + ["identical", "empty", "sparse"])
    if mode == "dense":
        labels = labels[:2]  # many overlapping spans with few labels: greedy matching ties
    arts = {f"art{i}.txt": random_text(rng, rng.randint(5, 60 if mode != "dense" else 15)) for i in range(n_art)}
    base = {}
    for name, text in arts.items():
        toks = tokens(text)
        spans = set()
        if mode != "empty":
            for _ in range(rng.randint(0, max(1, len(toks) // (4 if mode != "dense" else 1)))):
                i = rng.randrange(len(toks))
                j = min(len(toks), i + rng.randint(1, 4))
                spans.add((toks[i][0], toks[j - 1][1], rng.choice(labels)))
        base[name] = spans
    anns = [f"ann{k}" for k in range(n_ann)]
    work = {}
    for ann in anns:
        docs = {}
        for name, text in arts.items():
            if mode != "identical" and rng.random() < 0.2:
                continue  # this annotator skipped the article
            toks = tokens(text)
            spans = set()
            for s, e, l in sorted(base[name]):
                if mode in ("identical", "empty"):
                    spans.add((s, e, l))
                    continue
                r = rng.random()
                if r < 0.12:
                    continue  # missed
                if r < 0.22:
                    l = rng.choice(labels)  # relabel
                elif r < 0.32:
                    # move one edge by one token
                    ti = [k for k, t in enumerate(toks) if t[0] == s][0]
                    tj = [k for k, t in enumerate(toks) if t[1] == e][0]
                    if rng.random() < 0.5 and ti > 0:
                        s = toks[ti - 1][0]
                    elif tj + 1 < len(toks):
                        e = toks[tj + 1][1]
                elif r < 0.37 and e - s > 1:
                    # an edge inside a token (by chars)
                    if rng.random() < 0.5:
                        s = s + 1
                    else:
                        e = e - 1
                spans.add((s, e, l))
            if mode not in ("identical", "empty"):
                for _ in range(rng.randint(0, 3 if mode != "dense" else 8)):
                    # extra spans, some nested in others
                    if spans and rng.random() < 0.5:
                        s, e, _l = rng.choice(sorted(spans))
                        inner = [t for t in toks if t[0] >= s and t[1] <= e]
                        if inner:
                            t = rng.choice(inner)
                            spans.add((t[0], t[1], rng.choice(labels)))
                    elif toks:
                        i = rng.randrange(len(toks))
                        j = min(len(toks), i + rng.randint(1, 3))
                        spans.add((toks[i][0], toks[j - 1][1], rng.choice(labels)))
                if mode == "sparse":
                    spans = set(list(sorted(spans))[:1])
            docs[name] = sorted(spans)
        if docs or rng.random() < 0.5:
            work[ann] = docs
    # At least two annotators with work, for a report to exist.
    with_work = [a for a in work if work[a]]
    while len(with_work) < 2:
        a = f"ann{len(work)}x"
        work[a] = {name: sorted(base[name]) for name in arts}
        with_work.append(a)
    return arts, {a: d for a, d in work.items() if d}


def random_relations(seed, work):
    """Relations between each annotator's own spans, for some seeds: a shared
    base (by extent) most keep, a symmetric one sometimes given the other way
    round, and extra ones of their own. Its own generator, so the spans of
    every seed stay as they were."""
    rng = random.Random(seed * 7919 + 1)
    if rng.random() < 0.4:
        return {}
    types = [t for t, _ in RELATION_TYPES]
    extents = sorted({(s, e) for d in work.values() for sp in d.values() for s, e, _ in sp})
    base = [(rng.choice(extents), rng.choice(extents), rng.choice(types)) for _ in range(rng.randint(0, 6))] if extents else []
    out = {}
    for ann, docs in work.items():
        mine = {}
        for name, spans in docs.items():
            if not spans:
                continue
            by_extent = {(s, e): (s, e, l) for s, e, l in spans}
            rels = []
            for x, y, t in base:
                if x in by_extent and y in by_extent and rng.random() < 0.8:
                    a, b = by_extent[x], by_extent[y]
                    if t == "sym" and rng.random() < 0.5:
                        a, b = b, a
                    rels.append((a, b, t))
            for _ in range(rng.randint(0, 3)):
                rels.append((rng.choice(spans), rng.choice(spans), rng.choice(types)))
            if rels:
                mine[name] = rels
        if mine:
            out[ann] = mine
    return out


def relation_reference(anns, names, work, relations):
    """The `relations` section, recomputed: multiset matching per pair."""
    from collections import Counter

    sym = {t for t, s in RELATION_TYPES if s}

    def key(a, b, t):
        x, y = (a[0], a[1]), (b[0], b[1])
        if t in sym and y < x:
            x, y = y, x
        return (x, y, t)

    def fig(m, r, o):
        return {
            "matched": m, "reference": r, "other": o,
            "precision": m / o if o else None,
            "recall": m / r if r else None,
            "f1": 2 * m / (r + o) if r + o else None,
        }

    per_type, pairs = {}, []
    for a, b in itertools.combinations(anns, 2):
        tot = [0, 0, 0]
        for n in names:
            if n not in work[a] or n not in work[b]:
                continue
            ca = Counter(key(*r) for r in relations.get(a, {}).get(n, []))
            cb = Counter(key(*r) for r in relations.get(b, {}).get(n, []))
            both = ca & cb
            for t in {k[2] for k in ca} | {k[2] for k in cb}:
                c = per_type.setdefault(t, [0, 0, 0])
                add = [sum(v for k, v in both.items() if k[2] == t),
                       sum(v for k, v in ca.items() if k[2] == t),
                       sum(v for k, v in cb.items() if k[2] == t)]
                for i in range(3):
                    c[i] += add[i]
                    tot[i] += add[i]
        pairs.append({"reference": a, "other": b, "overall": fig(*tot)})
    if not per_type:
        return None
    order = [t for t, _ in RELATION_TYPES if t in per_type] + sorted(set(per_type) - {t for t, _ in RELATION_TYPES})
    overall = [sum(c[i] for c in per_type.values()) for i in range(3)]
    return {
        "matching": MATCHING,
        "overall": fig(*overall),
        "types": {t: fig(*per_type[t]) for t in order},
        "pairs": pairs,
    }


# --------------------------------------------------------------------------
# References


TOKEN_RE = re.compile(r"\w+|[^\w\s]")


def tokens(text):
    """UAX #29 word tokens for the texts used here (words, single punctuation)."""
    return [(m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


def tags(toks, spans):
    """The innermost span touching each token: shortest, then earliest, then label."""
    out = []
    for ts, te in toks:
        over = [(e - s, s, l) for s, e, l in spans if s < te and e > ts]
        out.append(min(over)[2] if over else "O")
    return out


def nan_to_none(x):
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def kappa(y1, y2):
    if not y1:
        return None
    return nan_to_none(cohen_kappa_score(y1, y2))


def alpha(rows, codes):
    """rows: list of lists of tags or None (missing)."""
    data = np.array([[np.nan if t is None else codes[t] for t in r] for r in rows], dtype=float)
    if data.size == 0:
        return None
    try:
        return nan_to_none(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    except ValueError:
        return None


def nerval(true_docs, pred_docs, labels):
    """nervaluate on documents of (start, end, label), end exclusive."""
    conv = lambda docs: [[{"label": l, "start": s, "end": e - 1} for s, e, l in d] for d in docs]
    if not true_docs:
        return {}, {}
    ev = Evaluator(conv(true_docs), conv(pred_docs), tags=labels, loader="dict")
    r = ev.evaluate()
    return r["overall"], r["entities"]


def result_dict(res):
    return {
        "correct": res.correct, "incorrect": res.incorrect, "partial": res.partial,
        "missed": res.missed, "spurious": res.spurious, "possible": res.possible, "actual": res.actual,
        "precision": res.precision, "recall": res.recall, "f1": res.f1,
    }


def summed(results, scheme):
    """Counts added up, then nervaluate's own compute_metrics."""
    t = EvaluationResult()
    for r in results:
        t.correct += r.correct
        t.incorrect += r.incorrect
        t.partial += r.partial
        t.missed += r.missed
        t.spurious += r.spurious
    t.compute_metrics(partial_or_type=scheme in ("partial", "ent_type"))
    return t


def span_block(overall_list, entities_list):
    """overall_list: list of nervaluate 'overall' dicts; entities_list: list of 'entities' dicts."""
    out = {}
    for sch in SCHEMES:
        ov = summed([o[sch] for o in overall_list if sch in o], sch)
        labs = {}
        names = set()
        for e in entities_list:
            names.update(e.keys())
        for l in names:
            labs[l] = result_dict(summed([e[l][sch] for e in entities_list if l in e], sch))
        out[sch] = {"overall": result_dict(ov), "labels": labs}
    return out


def reference(arts, work, schema=SCHEMA, relations=None):
    anns = sorted(work)
    names = sorted(arts)
    toks = {n: tokens(arts[n]) for n in names}
    used = {l for d in work.values() for sp in d.values() for _, _, l in sp}
    labels = ["O"] + [l for l in schema if l in used] + sorted(used - set(schema))
    codes = {l: i for i, l in enumerate(labels)}
    ent_labels = labels[1:]
    T = {a: {n: tags(toks[n], sorted(work[a][n])) for n in names if n in work[a]} for a in anns}

    ref = {"annotators": anns, "labels": labels, "tokens": {n: len(toks[n]) for n in names}}
    pairs = []
    all_over, all_ent = [], []
    all_conf = np.zeros((len(labels), len(labels)), dtype=np.int64)
    kappas = []
    for a, b in itertools.combinations(anns, 2):
        common = [n for n in names if n in work[a] and n in work[b]]
        ya = [t for n in common for t in T[a][n]]
        yb = [t for n in common for t in T[b][n]]
        k = kappa(ya, yb)
        kappas.append(k)
        al = alpha([ya, yb], codes)
        ov, ent = nerval([sorted(work[a][n]) for n in common], [sorted(work[b][n]) for n in common], ent_labels)
        all_over.append(ov)
        all_ent.append(ent)
        conf = confusion_matrix(ya, yb, labels=labels) if ya else np.zeros((len(labels),) * 2, dtype=np.int64)
        all_conf += conf
        pairs.append({
            "reference": a, "other": b, "articles": len(common), "tokens": len(ya),
            "cohen_kappa": k, "krippendorff_alpha": al,
            "spans": span_block([ov], [ent]), "confusion": conf.tolist(),
        })
    ref["pairs"] = pairs

    # Overall alpha over every token of every article, missing as NaN.
    rows = [[t for n in names for t in (T[a][n] if n in T[a] else [None] * len(toks[n]))] for a in anns]
    multi = [n for n in names if sum(n in work[a] for a in anns) >= 2]
    full = [n for n in names if all(n in work[a] for a in anns)]
    table = []
    for n in full:
        for i in range(len(toks[n])):
            row = [0] * len(labels)
            for a in anns:
                row[codes[T[a][n][i]]] += 1
            table.append(row)
    fk = nan_to_none(fleiss_kappa(np.array(table), method="fleiss")) if table else None
    defined = [k for k in kappas if k is not None]
    ref["overall"] = {
        "articles": len(multi),
        "tokens": sum(len(toks[n]) for n in multi),
        "krippendorff_alpha": alpha(rows, codes),
        "fleiss_kappa": fk,
        "fleiss_articles": len(full),
        "fleiss_tokens": len(table),
        "cohen_kappa_mean": sum(defined) / len(defined) if defined else None,
        "spans": span_block(all_over, all_ent),
        "confusion": all_conf.tolist(),
    }

    arts_out = []
    for n in multi:
        present = [a for a in anns if n in work[a]]
        al = alpha([T[a][n] for a in present], codes)
        ks, ovs = [], []
        for a, b in itertools.combinations(present, 2):
            ks.append(kappa(T[a][n], T[b][n]))
            ovs.append(nerval([sorted(work[a][n])], [sorted(work[b][n])], ent_labels)[0])
        kd = [k for k in ks if k is not None]
        arts_out.append({
            "article": n, "annotators": present, "tokens": len(toks[n]),
            "krippendorff_alpha": al, "cohen_kappa_mean": sum(kd) / len(kd) if kd else None,
            "strict_f1": summed([o["strict"] for o in ovs if o], "strict").f1,
            "partial_f1": summed([o["partial"] for o in ovs if o], "partial").f1,
        })
    arts_out.sort(key=lambda r: (1.0 if r["krippendorff_alpha"] is None else r["krippendorff_alpha"], r["article"]))
    ref["articles"] = arts_out
    ref["skipped"] = [{"article": n, "annotators": [a for a in anns if n in work[a]]} for n in names if n not in multi]
    ref["missing"] = {a: [n for n in names if n not in work[a]] for a in anns}
    rel = relation_reference(anns, names, work, relations or {})
    if rel is not None:
        ref["relations"] = rel
    return ref


# --------------------------------------------------------------------------
# Comparison


def compare(want, got, path, errors, counter):
    if isinstance(want, dict):
        if not isinstance(got, dict):
            errors.append(f"{path}: expected an object, got {got!r}")
            return
        for k in want:
            if k not in got:
                errors.append(f"{path}.{k}: missing in nhan's output")
            else:
                compare(want[k], got[k], f"{path}.{k}", errors, counter)
        for k in got:
            if k not in want and path.endswith(".labels"):
                errors.append(f"{path}.{k}: in nhan's output, not in the reference")
    elif isinstance(want, list):
        if not isinstance(got, list) or len(want) != len(got):
            errors.append(f"{path}: expected {want!r}, got {got!r}")
            return
        for i, (w, g) in enumerate(zip(want, got)):
            compare(w, g, f"{path}[{i}]", errors, counter)
    elif want is None or got is None:
        counter[0] += 1
        if not (want is None and got is None):
            errors.append(f"{path}: expected {want!r}, got {got!r}")
    elif isinstance(want, str) or isinstance(got, str):
        counter[0] += 1
        if want != got:
            errors.append(f"{path}: expected {want!r}, got {got!r}")
    else:
        counter[0] += 1
        if abs(float(want) - float(got)) > TOL:
            errors.append(f"{path}: expected {want!r}, got {got!r} (difference {abs(float(want) - float(got)):.3g})")


def run_nhan(project):
    binary = os.environ.get("NHAN_BIN")
    cmd = [binary] if binary else ["cargo", "run", "--release", "--quiet", "--"]
    p = subprocess.run(cmd + ["--project", project, "agree", "--json"], cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"nhan agree failed ({p.returncode}) on {project}:\n{p.stderr}")
    return json.loads(p.stdout)


def check(name, arts, work, keep, relations=None):
    d = tempfile.mkdtemp(prefix="nhan-agree-")
    try:
        write_project(d, arts, work, relations=relations)
        got = run_nhan(d)
        want = reference(arts, work, relations=relations)
        errors, counter = [], [0]
        toks = want.pop("tokens")
        compare(want, got, "", errors, counter)
        for a in got.get("articles", []):
            if a["tokens"] != toks[a["article"]]:
                errors.append(f"tokens of {a['article']}: reference {toks[a['article']]}, nhan {a['tokens']}")
        if errors and keep:
            dst = os.path.join(keep, name)
            shutil.rmtree(dst, ignore_errors=True)
            shutil.copytree(d, dst)
            errors.append(f"(project kept in {dst})")
        return errors, counter[0]
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=60, help="how many random projects (default 60)")
    ap.add_argument("--keep", help="copy failing projects here")
    ap.add_argument("--write-fixture", help="write the hand-made project to this folder and stop")
    args = ap.parse_args()
    if args.write_fixture:
        arts, work = hand_made()
        shutil.rmtree(args.write_fixture, ignore_errors=True)
        write_project(args.write_fixture, arts, work)
        return 0
    cases = [("hand-made", *hand_made(), None)]
    for s in range(args.seeds):
        arts, work = random_project(s)
        cases.append((f"seed {s}", arts, work, random_relations(s, work)))
    failed, numbers = 0, 0
    for name, arts, work, relations in cases:
        errors, n = check(name, arts, work, args.keep, relations)
        numbers += n
        if errors:
            failed += 1
            print(f"FAIL {name}: {len(errors)} differences")
            for e in errors[:20]:
                print(f"  {e}")
        else:
            rels = sum(len(r) for d in (relations or {}).values() for r in d.values())
            print(f"ok   {name}: {n} values match ({len(work)} annotators, {len(arts)} articles, {rels} relations)")
    print(f"{len(cases) - failed} passed, {failed} failed")
    print(f"agree check: {numbers} values compared with scikit-learn, krippendorff, nervaluate, statsmodels (tolerance {TOL})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

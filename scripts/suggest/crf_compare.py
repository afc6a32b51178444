#!/usr/bin/env python3
"""nhan's suggestions beside a plain CRF (python-crfsuite), on the same folds.

Usage: crf_compare.py [--nhan target/release/nhan] [--project .] [--folds 5]

Runs `nhan suggest --eval --json --folds K` on the project, then trains
python-crfsuite on exactly the folds nhan used (the reviewed articles in the
order `--eval` lists them, article i in fold i mod K) and scores it the same
way: exact extent and label against the article's gold spans, counts summed
over the folds. The CRF has two layers like nhan's tagger (outermost spans,
then the spans inside each), L-BFGS with L2 (c2 = 1, CRFsuite's default),
and the plain features the issue lists: the token, its lower case and
shape, prefixes and suffixes of up to three letters, and the same for the
neighbours two either side. Tokens are UAX #29-like words and single
punctuation marks (a regex; gold spans not on its token edges count as
missed, as nhan's do).

The gold is read with `nhan export --format jsonl --status reviewed`, so the
script reads no project file itself. Needs python-crfsuite (see
requirements.txt in this folder).
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import pycrfsuite

TOKEN = re.compile(r"\w+(?:[.'’]\w+|(?<=\d),\d+)*|[^\w\s]")


def tokens(text):
    return [(m.start(), m.end()) for m in TOKEN.finditer(text)]


def shape(w):
    out = []
    for c in w:
        k = "X" if c.isupper() else "x" if c.islower() else "d" if c.isdigit() else c
        if not out or out[-1] != k:
            out.append(k)
    return "".join(out)


def word_features(w, d):
    low = w.lower()
    f = {
        f"{d}:w": w,
        f"{d}:low": low,
        f"{d}:shape": shape(w),
    }
    if d in ("0", "-1", "+1"):
        for n in (1, 2, 3):
            f[f"{d}:pre{n}"] = low[:n]
            f[f"{d}:suf{n}"] = low[-n:]
    return f


def features(words, i, extra=None):
    f = {"bias": 1.0}
    for d in (-2, -1, 0, 1, 2):
        j = i + d
        key = "0" if d == 0 else f"{d:+d}"
        if 0 <= j < len(words):
            f.update(word_features(words[j], key))
        else:
            f[f"{key}:w"] = "<s>"
    if extra:
        f.update(extra)
    return f


def layers(spans):
    """Outermost spans, each with the outermost spans inside it."""
    spans = sorted(set(spans), key=lambda s: (s[0], -s[1]))
    out = []
    for s in spans:
        if out and s[0] < out[-1][0][1]:
            o, inner = out[-1]
            if s[1] <= o[1] and (not inner or s[0] >= inner[-1][1]):
                inner.append(s)
        else:
            out.append((s, []))
    return out


def bio(n, spans):
    tags = ["O"] * n
    for a, b, l in spans:
        for t in range(a, b):
            tags[t] = ("B-" if t == a else "I-") + l
    return tags


def spans_of(tags):
    out, t = [], 0
    while t < len(tags):
        if tags[t].startswith("B-"):
            l, e = tags[t][2:], t + 1
            while e < len(tags) and tags[e] == "I-" + l:
                e += 1
            out.append((t, e, l))
            t = e
        else:
            t += 1
    return out


def gold_of(rec):
    """The spans of a doccano line: `label` lists, or, in a project with
    relation types, `entities` (which sit beside the relations)."""
    if "entities" in rec:
        return {(e["start_offset"], e["end_offset"], e["label"]) for e in rec["entities"]}
    return {(s, e, l) for s, e, l in rec["label"]}


class Article:
    def __init__(self, rec):
        self.name = rec["article"]
        self.text = rec["text"]
        self.toks = tokens(self.text)
        self.words = [self.text[a:b] for a, b in self.toks]
        starts = {a: i for i, (a, _) in enumerate(self.toks)}
        ends = {b: i + 1 for i, (_, b) in enumerate(self.toks)}
        self.gold = gold_of(rec)
        self.tok_spans = [
            (starts[s], ends[e], l)
            for s, e, l in self.gold
            if s in starts and e in ends and starts[s] < ends[e]
        ]
        # Lines are the sequences, as in nhan.
        self.lines, line_start = [], 0
        for i in range(1, len(self.toks) + 1):
            if i == len(self.toks) or "\n" in self.text[self.toks[i - 1][1] : self.toks[i][0]]:
                self.lines.append((line_start, i))
                line_start = i


def inner_extra(words, o):
    a, b, l = o
    return lambda t: {
        "outer": l,
        "pos": l + (":B" if t == a else ":E" if t + 1 == b else ":M"),
        "outer_first": l + ":" + words[a].lower(),
    }


def train(articles, c1, c2, path):
    outer = pycrfsuite.Trainer(verbose=False)
    inner = pycrfsuite.Trainer(verbose=False)
    for t in (outer, inner):
        t.set_params({"c1": c1, "c2": c2, "max_iterations": 150})
    n_inner = 0
    for a in articles:
        nested = layers(a.tok_spans)
        for s, e in a.lines:
            words = a.words[s:e]
            in_line = [(o[0] - s, o[1] - s, o[2]) for o, _ in nested if o[0] >= s and o[1] <= e]
            outer.append([features(words, i) for i in range(len(words))], bio(len(words), in_line))
            for o, inner_spans in nested:
                if not (o[0] >= s and o[1] <= e) or o[1] - o[0] < 2:
                    continue
                rel = (o[0] - s, o[1] - s, o[2])
                ex = inner_extra(words, rel)
                xs = [features(words, i, ex(i)) for i in range(rel[0], rel[1])]
                ys = bio(o[1] - o[0], [(x - o[0], y - o[0], l) for x, y, l in inner_spans])
                inner.append(xs, ys)
                n_inner += 1
    outer.train(path + ".outer")
    if n_inner:
        inner.train(path + ".inner")
    return n_inner > 0


def tag(a, path, has_inner):
    outer = pycrfsuite.Tagger()
    outer.open(path + ".outer")
    inner = None
    if has_inner:
        inner = pycrfsuite.Tagger()
        inner.open(path + ".inner")
    out = set()
    for s, e in a.lines:
        words = a.words[s:e]
        tags = outer.tag([features(words, i) for i in range(len(words))])
        for x, y, l in spans_of(tags):
            out.add((x + s, y + s, l))
            if inner is None or y - x < 2:
                continue
            ex = inner_extra(words, (x, y, l))
            sub = inner.tag([features(words, i, ex(i)) for i in range(x, y)])
            for ix, iy, il in spans_of(sub):
                if (ix, iy) != (0, y - x):
                    out.add((x + s + ix, x + s + iy, il))
    return {(a.toks[x][0], a.toks[y - 1][1], l) for x, y, l in out}


def prf(correct, proposed, gold):
    p = correct / proposed if proposed else 0.0
    r = correct / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nhan", default="target/release/nhan")
    ap.add_argument("--project", default=".")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--c1", type=float, default=0.0)
    ap.add_argument("--c2", type=float, default=1.0)
    args = ap.parse_args()

    run = lambda *a: subprocess.run(
        [args.nhan, "--project", args.project, *a], check=True, capture_output=True, text=True
    ).stdout
    ev = json.loads(run("suggest", "--eval", "--json", "--folds", str(args.folds)))
    with tempfile.TemporaryDirectory() as tmp:
        run("export", "--format", "jsonl", "--status", "reviewed", "--out", tmp)
        recs = {}
        for f in glob.glob(os.path.join(tmp, "**", "*.jsonl"), recursive=True):
            with open(f, encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        rec = json.loads(line)
                        recs[rec["article"]] = rec
        missing = [n for n in ev["articles"] if n not in recs]
        if missing:
            sys.exit(f"crf_compare: the export lacks {missing}; is the project's gold readable?")
        arts = [Article(recs[n]) for n in ev["articles"]]
        k = ev["folds"]
        correct = proposed = gold = 0
        for fold in range(k):
            train_set = [a for i, a in enumerate(arts) if i % k != fold]
            path = os.path.join(tmp, f"fold{fold}.crfsuite")
            has_inner = train(train_set, args.c1, args.c2, path)
            for a in (a for i, a in enumerate(arts) if i % k == fold):
                got = tag(a, path, has_inner)
                correct += len(got & a.gold)
                proposed += len(got)
                gold += len(a.gold)

    how = "leave-one-article-out" if k == len(arts) else f"{k}-fold"
    print(f"{how} over {len(arts)} reviewed articles; exact extent and label, micro-averaged")
    print(f"{'system':<34} {'precision':>9} {'recall':>7} {'F1':>7} {'gold':>6} {'proposed':>9} {'correct':>8}")
    for r in ev["recommenders"]:
        o = r["overall"]
        print(
            f"{'nhan ' + r['name']:<34} {o['precision']:>9.3f} {o['recall']:>7.3f} {o['f1']:>7.3f}"
            f" {o['gold']:>6} {o['proposed']:>9} {o['correct']:>8}"
        )
    p, r, f = prf(correct, proposed, gold)
    name = f"python-crfsuite (c1={args.c1:g}, c2={args.c2:g})"
    print(f"{name:<34} {p:>9.3f} {r:>7.3f} {f:>7.3f} {gold:>6} {proposed:>9} {correct:>8}")


if __name__ == "__main__":
    main()

"""Loads nhan's exports with the tools they are meant for and checks that
each one reads exactly what nhan says it exported.

    check.py --project DIR --exports ROOT

ROOT holds one folder per export, as scripts/interop/run.sh writes them:
jsonl/, brat/, hf/, conll-iob2/, conll-iob1/, conll-bioes/, conllu-iob2/,
conllu-bioes/, each with the
nhan-export.json manifest. Fails (exit 1) on any error, on any warning from
the tools about the data (misaligned entities and the like), and on any
entity count that differs from the manifest.
"""

import argparse
import collections
import io
import json
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

failures = []


def fail(msg):
    failures.append(msg)
    print(f"FAIL: {msg}", file=sys.stderr)


def manifest(d):
    return json.loads((d / "nhan-export.json").read_text(encoding="utf-8"))


def expected(m):
    """Entities the manifest says each part holds."""
    return {p["name"]: p["entities"] for p in m["parts"]}


def squash(s):
    return "".join(s.split())


def check_sidecars(project):
    """DESIGN.md: text[start:end] == span["text"] in Python for every span."""
    n = 0
    for sc in sorted((project / "annotations").glob("*.json")):
        data = json.loads(sc.read_text(encoding="utf-8"))
        raw = (project / "articles" / data["article"]).read_bytes()
        text = raw.decode("utf-8")
        if text.startswith("\ufeff"):
            text = text[1:]
        for s in data["spans"]:
            n += 1
            if text[s["start"]:s["end"]] != s["text"]:
                fail(f"{sc}: span {s['id']}: text[{s['start']}:{s['end']}] != {s['text']!r}")
    return n


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def doccano_spans(r):
    """A doccano line's spans as [start, end, label]: its `label` list, or
    its `entities` (what relation projects write; check_relations.py reads
    their relations)."""
    if "entities" not in r:
        return r["label"]
    if "label" in r:
        fail(f"jsonl: {r['id']}: has both label and entities")
    return [[e["start_offset"], e["end_offset"], e["label"]] for e in r["entities"]]


def check_jsonl(root, project):
    d = root / "jsonl"
    m = manifest(d)
    counts = {}
    by_article = {}
    for part in m["parts"]:
        rows = read_jsonl(d / f"{part['name']}.jsonl")
        n = 0
        for r in rows:
            # The other checks read the spans as `label`, in either form.
            r["label"] = doccano_spans(r)
            text = r["text"]
            art = (project / "articles" / r["article"]).read_bytes().decode("utf-8")
            if art.startswith("\ufeff"):
                art = art[1:]
            if art != text:
                fail(f"jsonl: {r['id']}: the text is not the article's")
            for s, e, label in r["label"]:
                if not (0 <= s < e <= len(text)):
                    fail(f"jsonl: {r['id']}: [{s}, {e}) outside the text")
                n += 1
            by_article[r["article"]] = r
        counts[part["name"]] = n
        if n != expected(m)[part["name"]]:
            fail(f"jsonl {part['name']}: {n} entities read, manifest says {expected(m)[part['name']]}")
    return counts, by_article


def check_jsonl_in_spacy(root, by_article):
    """The doccano offsets on a spaCy Doc of nhan's own tokens: every span
    the loss report did not list is a strict char_span, and spaCy's
    biluo conversion raises no misalignment warning (W030)."""
    import spacy
    from spacy.tokens import Doc
    from spacy.training import offsets_to_biluo_tags
    from spacy.util import get_words_and_spaces

    nlp = spacy.blank("xx")
    hf = root / "hf"
    hm = manifest(hf)
    tokens = collections.defaultdict(list)
    for part in hm["parts"]:
        for r in read_jsonl(hf / f"{part['name']}.jsonl"):
            tokens[r["id"].rsplit("#", 1)[0]].extend(r["tokens"])
    lost = {(l["article"], l["start"], l["end"], l["label"]) for l in lost_spans(hf, hm)}
    n = 0
    for art, r in by_article.items():
        words, spaces = get_words_and_spaces(tokens[r["id"]], r["text"]) if tokens[r["id"]] else ([], [])
        doc = Doc(nlp.vocab, words=words, spaces=spaces)
        if doc.text != r["text"]:
            fail(f"spaCy: {art}: the Doc of nhan's tokens does not give back the text")
            continue
        kept = []
        for s, e, label in r["label"]:
            if (art, s, e, label) in lost:
                continue
            span = doc.char_span(s, e, label=label, alignment_mode="strict")
            if span is None:
                fail(f"spaCy: {art}: [{s}, {e}) {label} does not align with nhan's tokens")
                continue
            kept.append((s, e, label))
            n += 1
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                offsets_to_biluo_tags(doc, kept)
            except Exception as e:  # W030 as an error, or overlapping spans
                fail(f"spaCy: {art}: {e}")
    return n


def check_brat(root):
    d = root / "brat"
    m = manifest(d)
    split = m["split"] is not None
    counts = {}
    for part in m["parts"]:
        pd = d / part["name"] if split else d
        conf = (pd / "annotation.conf").read_text(encoding="utf-8")
        ents = set()
        section = None
        for line in conf.splitlines():
            line = line.strip()
            if line.startswith("["):
                section = line
            elif line and not line.startswith("#") and section == "[entities]":
                ents.add(line)
        n = 0
        for art in part["articles"]:
            stem = art[:-4]
            text = (pd / f"{stem}.txt").read_bytes().decode("utf-8")
            for i, line in enumerate((pd / f"{stem}.ann").read_text(encoding="utf-8").splitlines(), 1):
                if not line.startswith("T"):
                    continue  # attributes and notes: check_brat_notes.py reads them
                tid, mid, given = line.split("\t")
                label, offs = mid.split(" ", 1)
                frags = [tuple(map(int, f.split())) for f in offs.split(";")]
                got = " ".join(text[a:b] for a, b in frags)
                if got != given:
                    fail(f"brat: {stem}.ann:{i}: offsets give {got!r}, the line says {given!r}")
                if label not in ents:
                    fail(f"brat: {stem}.ann:{i}: {label} is not in annotation.conf")
                n += 1
        counts[part["name"]] = n
        if n != expected(m)[part["name"]]:
            fail(f"brat {part['name']}: {n} entities read, manifest says {expected(m)[part['name']]}")
    return counts


def conll_sentences(path):
    sents, cur = [], []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("-DOCSTART-"):
            continue
        if not line.strip():
            if cur:
                sents.append(cur)
            cur = []
            continue
        cols = line.split()
        cur.append((cols[0], cols[-1]))
    if cur:
        sents.append(cur)
    return sents


def check_conll_spacy(root, scheme, by_article):
    """`python -m spacy convert` (the CoNLL NER converter) on the output."""
    from spacy.tokens import DocBin
    import spacy

    d = root / f"conll-{scheme}"
    m = manifest(d)
    lost = {(l["article"], l["start"], l["end"], l["label"]) for l in lost_spans(d, m)}
    counts = {}
    for part in m["parts"]:
        src = d / f"{part['name']}.conll"
        if not part["articles"]:
            counts[part["name"]] = 0
            continue
        with tempfile.TemporaryDirectory() as tmp:
            p = subprocess.run(
                [sys.executable, "-m", "spacy", "convert", str(src), tmp, "--converter", "ner", "--n-sents", "0"],
                capture_output=True, text=True,
            )
            said = (p.stdout + p.stderr).strip()
            if p.returncode != 0 or "⚠" in said or "✘" in said or "Warning" in said:
                fail(f"spacy convert {src}: exit {p.returncode}: {said}")
                continue
            docs = list(DocBin().from_disk(Path(tmp) / f"{part['name']}.spacy").get_docs(spacy.blank("xx").vocab))
        if len(docs) != len([a for a in part["articles"] if by_article_tokens(a, by_article)]):
            fail(f"spacy convert {src}: {len(docs)} docs for {len(part['articles'])} articles")
        n = sum(len(doc.ents) for doc in docs)
        counts[part["name"]] = n
        if n != expected(m)[part["name"]]:
            fail(f"spacy convert conll-{scheme} {part['name']}: {n} entities, manifest says {expected(m)[part['name']]}")
        # Cross-format: each doc's entities are the jsonl spans less the lost ones.
        for art, doc in zip([a for a in part["articles"] if by_article_tokens(a, by_article)], docs):
            r = by_article.get(art)
            if r is None:
                continue
            want = sorted(
                (label, squash(r["text"][s:e])) for s, e, label in r["label"] if (art, s, e, label) not in lost
            )
            got = sorted((e.label_, squash(e.text)) for e in doc.ents)
            if want != got:
                fail(f"spacy convert conll-{scheme}: {art}: entities differ from the jsonl export")
    return counts


def by_article_tokens(art, by_article):
    r = by_article.get(art)
    return r is None or r["text"].strip() != ""


def check_conll_seqeval(root, scheme):
    from seqeval.metrics import classification_report
    from seqeval.metrics.sequence_labeling import get_entities
    from seqeval.scheme import IOB2, IOBES, Entities

    d = root / f"conll-{scheme}"
    m = manifest(d)
    counts = {}
    for part in m["parts"]:
        tags = [[t for _, t in s] for s in conll_sentences(d / f"{part['name']}.conll")]
        loose = sum(len(get_entities(s)) for s in tags)  # conlleval reading
        if scheme == "iob1":
            n = loose  # seqeval's strict mode has no IOB1
        else:
            sch = IOB2 if scheme == "iob2" else IOBES
            n = sum(len(e) for e in Entities(tags, sch).entities)
            if n != loose:
                fail(f"seqeval conll-{scheme}: strict reads {n} entities, conlleval reads {loose}: ill-formed tags")
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                if tags and any(any(t != "O" for t in s) for s in tags):
                    classification_report(tags, tags, mode="strict", scheme=sch, zero_division=0)
        counts[part["name"]] = n
        if n != expected(m)[part["name"]]:
            fail(f"seqeval conll-{scheme} {part['name']}: {n} entities, manifest says {expected(m)[part['name']]}")
    return counts


def check_hf(root):
    import datasets
    from datasets import ClassLabel, Features, Sequence, Value, load_dataset
    from seqeval.metrics.sequence_labeling import get_entities

    datasets.disable_progress_bars()
    d = root / "hf"
    m = manifest(d)
    names = (d / "labels.txt").read_text(encoding="utf-8").splitlines()
    features = Features(
        {
            "id": Value("string"),
            "tokens": Sequence(Value("string")),
            "ner_tags": Sequence(ClassLabel(names_file=str(d / "labels.txt"))),
        }
    )
    files = {p["name"]: str(d / f"{p['name']}.jsonl") for p in m["parts"] if p["sentences"]}
    ds = load_dataset("json", data_files=files, features=features, cache_dir=os.environ.get("NHAN_HF_CACHE"))
    counts = {}
    for part in m["parts"]:
        if part["name"] not in ds:
            counts[part["name"]] = 0
            continue
        split = ds[part["name"]]
        cl = split.features["ner_tags"].feature
        if cl.names != names:
            fail("hf: ClassLabel names differ from labels.txt")
        if len(split) != part["sentences"]:
            fail(f"hf {part['name']}: {len(split)} rows, manifest says {part['sentences']} sentences")
        n = 0
        for row in split:
            if len(row["tokens"]) != len(row["ner_tags"]):
                fail(f"hf {row['id']}: {len(row['tokens'])} tokens but {len(row['ner_tags'])} tags")
            n += len(get_entities([cl.int2str(t) for t in row["ner_tags"]]))
        counts[part["name"]] = n
        if n != expected(m)[part["name"]]:
            fail(f"hf {part['name']}: {n} entities, manifest says {expected(m)[part['name']]}")
    return counts


def check_conllu_spacy(root, scheme, by_article):
    """`spacy convert --converter conllu` reads every flat entity from MISC NE= tags."""
    from spacy.tokens import DocBin
    import spacy

    d = root / f"conllu-{scheme}"
    m = manifest(d)
    lost = {(l["article"], l["start"], l["end"], l["label"]) for l in lost_spans(d, m)}
    counts = {}
    for part in m["parts"]:
        src = d / f"{part['name']}.conllu"
        if not part["articles"]:
            counts[part["name"]] = 0
            continue
        with tempfile.TemporaryDirectory() as tmp:
            p = subprocess.run(
                [sys.executable, "-m", "spacy", "convert", str(src), tmp, "--converter", "conllu", "--n-sents", "10000"],
                capture_output=True, text=True,
            )
            said = (p.stdout + p.stderr).strip()
            if p.returncode != 0 or "✘" in said or "Warning" in said:
                fail(f"spacy convert conllu {src}: exit {p.returncode}: {said}")
                continue
            docs = list(DocBin().from_disk(Path(tmp) / f"{part['name']}.spacy").get_docs(spacy.blank("xx").vocab))
        got = sorted((e.label_, squash(e.text)) for doc in docs for e in doc.ents)
        want = sorted(
            (label, squash(by_article[art]["text"][s:e]))
            for art in part["articles"]
            if art in by_article
            for s, e, label in by_article[art]["label"]
            if (art, s, e, label) not in lost
        )
        counts[part["name"]] = len(got)
        if len(got) != expected(m)[part["name"]]:
            fail(f"spacy convert conllu-{scheme} {part['name']}: {len(got)} entities, manifest says {expected(m)[part['name']]}")
        if got != want:
            fail(f"spacy convert conllu-{scheme} {part['name']}: entities differ from the jsonl export less the loss report")
    return counts


def lost_spans(d, m):
    """The spans a flat export lost: the manifest's list, or its lost-spans file."""
    if isinstance(m.get("lost"), list):
        return m["lost"]
    if m["lost"]["file"] is None:
        return []
    f = d / m["lost"]["file"]
    return [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]


def check_hf_folder(root):
    """`load_dataset(folder)` alone: the dataset card names the splits and the ClassLabel tags."""
    import datasets
    from datasets import ClassLabel, load_dataset

    datasets.disable_progress_bars()
    d = root / "hf"
    m = manifest(d)
    names = (d / "labels.txt").read_text(encoding="utf-8").splitlines()
    ds = load_dataset(str(d), cache_dir=os.environ.get("NHAN_HF_CACHE"))
    split_of = {"data": "train", "dev": "validation"}
    counts = {}
    for part in m["parts"]:
        name = split_of.get(part["name"], part["name"])
        if not part["sentences"]:
            counts[name] = 0
            continue
        if name not in ds:
            fail(f"hf folder: no split {name} (has {list(ds)})")
            continue
        split = ds[name]
        if set(split.column_names) != {"id", "tokens", "ner_tags"}:
            fail(f"hf folder {name}: columns {split.column_names}: the manifest was read as data?")
        cl = split.features["ner_tags"].feature
        if not isinstance(cl, ClassLabel) or cl.names != names:
            fail(f"hf folder {name}: ner_tags are {split.features['ner_tags']}, not ClassLabel of labels.txt")
            continue
        if len(split) != part["sentences"]:
            fail(f"hf folder {name}: {len(split)} rows, manifest says {part['sentences']} sentences")
        counts[name] = len(split)
    return counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--project", type=Path, required=True)
    ap.add_argument("--exports", type=Path, required=True)
    a = ap.parse_args()
    root = a.exports

    # Import first: the libraries' own deprecation notices are not about the data.
    import datasets  # noqa: F401
    import seqeval.metrics  # noqa: F401
    import spacy  # noqa: F401

    # What the tools say about the data (spaCy's W030 misaligned entities,
    # seqeval's ill-formed tags) are UserWarnings: make them failures.
    warnings.filterwarnings("error", category=UserWarning)

    n_sidecar = check_sidecars(a.project)
    jsonl_counts, by_article = check_jsonl(root, a.project)
    rows = [("sidecar spans (text[start:end] == text)", {"all": n_sidecar})]
    rows.append(("jsonl (doccano)", jsonl_counts))
    rows.append(("jsonl on spaCy Doc, strict char_span", {"kept": check_jsonl_in_spacy(root, by_article)}))
    rows.append(("brat .ann", check_brat(root)))
    for s in ("iob2", "iob1"):
        rows.append((f"spacy convert conll-{s}", check_conll_spacy(root, s, by_article)))
    for s in ("iob2", "iob1", "bioes"):
        rows.append((f"seqeval conll-{s}" + (" (strict)" if s != "iob1" else " (conlleval)"), check_conll_seqeval(root, s)))
    rows.append(("datasets.load_dataset json + ClassLabel", check_hf(root)))
    rows.append(("datasets.load_dataset(folder), card's ClassLabel (rows)", check_hf_folder(root)))
    for s in ("iob2", "bioes"):
        rows.append((f"spacy convert --converter conllu ({s})", check_conllu_spacy(root, s, by_article)))

    lost = len(lost_spans(root / "conll-iob2", manifest(root / "conll-iob2")))
    print(f"interop check of {root}:")
    for name, c in rows:
        print(f"  {name:48} " + ", ".join(f"{k} {v}" for k, v in c.items()))
    print(f"  {'spans the flat formats cannot hold (loss report)':48} {lost}")
    if failures:
        print(f"interop: {len(failures)} failure(s)", file=sys.stderr)
        sys.exit(1)
    print("interop: ok")


if __name__ == "__main__":
    main()

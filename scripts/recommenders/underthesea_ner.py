#!/usr/bin/env python3
"""A command recommender for nhan: underthesea's bundled CRF NER model.

Speaks nhan's JSON-lines protocol: reads one request per line,
    {"article": NAME, "text": TEXT}
and answers one line per request,
    {"suggestions": [{"start": S, "end": E, "label": L, "score": X}, ...]}
with S and E code-point offsets into TEXT (Python str indices), the labels
PER, ORG, LOC (MISC too if the model emits it).

underthesea works on NFC text and tokenises into words of several
syllables; its tokens are found again in the text in order (ignoring
whitespace differences and normalisation) and mapped back to offsets of the
text as nhan sent it (NFD text keeps NFD offsets).

Install: pip install underthesea
In nhan.toml:
    [[recommenders]]
    name = "underthesea"
    type = "command"
    command = ["python3", "scripts/recommenders/underthesea_ner.py"]
    timeout = 300
then `nhan suggest --approve`.
"""

import json
import sys
import unicodedata


def nfc_with_map(text):
    """The NFC form of `text`, and for each of its chars (plus the end) the
    offset in `text` where it begins. Text is normalised piece by piece,
    each piece a starter with its combining marks, so that offsets map."""
    out, where = [], []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFC", text[i:j])
        for c in piece:
            out.append(c)
            where.append(i)
        i = j
    where.append(n)
    return "".join(out), where


def entities(line, ner):
    """(start, end, label) in `line` (NFC), from underthesea's BIO tags."""
    rows = ner(line)
    found, at = [], 0
    for row in rows:
        word, tag = row[0], row[-1]
        # underthesea joins syllables with spaces (or underscores): find
        # the syllables in order, skipping whitespace between them.
        sylls = [s for s in word.replace("_", " ").split() if s]
        start = end = None
        pos = at
        for s in sylls:
            k = line.find(s, pos)
            if k < 0 or line[pos:k].strip():
                start = None
                break
            if start is None:
                start = k
            end = pos = k + len(s)
        if start is None:
            found.append((None, None, tag))
            continue
        at = end
        found.append((start, end, tag))
    spans = []
    cur = None
    for start, end, tag in found:
        kind = tag[2:] if tag[:2] in ("B-", "I-") else None
        if start is None or kind is None:
            if cur:
                spans.append(cur)
            cur = None
            continue
        if tag.startswith("B-") or cur is None or cur[2] != kind:
            if cur:
                spans.append(cur)
            cur = [start, end, kind]
        else:
            cur[1] = end
    if cur:
        spans.append(cur)
    return spans


def main():
    try:
        from underthesea import ner
    except ImportError:
        sys.stderr.write("underthesea is not installed: pip install underthesea\n")
        return 2
    for request in sys.stdin:
        if not request.strip():
            continue
        text = json.loads(request)["text"]
        out = []
        offset = 0
        for raw in text.split("\n"):
            nfc, where = nfc_with_map(raw)
            if nfc.strip():
                for s, e, label in entities(nfc, ner):
                    out.append({
                        "start": offset + where[s],
                        "end": offset + where[e],
                        "label": label,
                        "score": 0.5,
                    })
            offset += len(raw) + 1
        print(json.dumps({"suggestions": out}, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

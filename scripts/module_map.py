"""Rewrites the "Module map" section at the end of docs/ARCHITECTURE.md
from the first sentence of each source file's `//!` documentation.
Run from the repository root after adding, removing or renaming a module:

    python3 scripts/module_map.py
"""

import os
import re
import subprocess

DOC = "docs/ARCHITECTURE.md"
HEADING = "## Module map"


def first_sentence(path):
    para = []
    for line in open(path, encoding="utf-8").read().splitlines():
        if line.startswith("//!"):
            t = line[3:].strip()
            if not t:
                if para:
                    break
                continue
            para.append(t)
        elif para or not line.startswith("//"):
            break
    text = " ".join(para)
    m = re.match(r"(.+?\.)(\s|$)", text)
    text = m.group(1) if m else text
    if len(text) > 180:
        text = text[:177].rsplit(" ", 1)[0] + " …"
    return text or "(no module documentation)"


def main():
    files = subprocess.run(["git", "ls-files", "src", "crates"], capture_output=True, text=True, check=True).stdout.split()
    by_dir = {}
    for f in files:
        if f.endswith(".rs"):
            by_dir.setdefault(os.path.dirname(f), []).append(f)
    out = [
        HEADING,
        "",
        "The first sentence of each file's documentation, by directory",
        "(`python3 scripts/module_map.py` rewrites this section).",
    ]
    for d in sorted(by_dir):
        out += ["", f"**{d}/**", ""]
        for f in sorted(by_dir[d]):
            out.append(f"- `{os.path.basename(f)}`: {first_sentence(f)}")
    doc = open(DOC, encoding="utf-8").read()
    if HEADING in doc:
        doc = doc[: doc.index(HEADING)]
    open(DOC, "w", encoding="utf-8").write(doc.rstrip("\n") + "\n\n" + "\n".join(out) + "\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Time from starting nhan in a pseudo-terminal to its article list on
screen (the first article's file name drawn), median of three, for each
project given. Suggestions stay on, as a user has them.

Usage: list_time.py BINARY PROJECT...
"""
import os, statistics, sys

HERE = os.path.dirname(os.path.abspath(__file__))
BIN, PROJECTS = sys.argv[1], sys.argv[2:]
src = open(os.path.join(HERE, "pty_bench.py")).read()
sys.argv = ["pty_bench.py", BIN, "", "0"]
exec(src[: src.index("def open_time")])  # the Tui class, nothing run


def once(project):
    first = sorted(f for f in os.listdir(os.path.join(project, "articles")) if f.endswith(".txt"))[0]
    t = Tui(project)
    shown = t.wait_for((first[:-4][:20],), timeout=120)
    t.drain(0.5)
    t.quit()
    return (shown - t.t0) * 1e3


for p in PROJECTS:
    ms = statistics.median(once(p) for _ in range(3))
    print(f"{p}: article list on screen in {ms:.0f} ms (median of 3)")

#!/usr/bin/env python3
"""The dashboard's timings (issue 29), measured on the real binary in a
pseudo-terminal, never in tests: from `%` to the dashboard on screen, and
from `%` to its first figures (the "N articles:" progress line), median of
five runs per project.

Usage: dashboard_bench.py BINARY PROJECT...
"""
import os, pty, select, signal, statistics, struct, sys, tempfile, time, fcntl, termios

BIN = sys.argv[1]
COLS, ROWS = 120, 40


def run(project):
    env = dict(os.environ, TERM="xterm-256color", NO_COLOR="1", USER="bench",
               NHAN_CONFIG=os.path.join(tempfile.mkdtemp(), "config.toml"),
               NHAN_STATE=os.path.join(tempfile.mkdtemp(), "state.json"))
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(BIN, [BIN, "--project", project], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    buf = b""

    def wait_for(marker, since, timeout=60.0):
        nonlocal buf
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            if marker in buf[since:]:
                return time.perf_counter()
            r, _, _ = select.select([fd], [], [], 0.002)
            if r:
                try:
                    buf += os.read(fd, 1 << 20)
                except OSError:
                    pass
        raise SystemExit(f"{project}: timed out waiting for {marker!r}")

    wait_for(b"Articles", 0)
    time.sleep(0.5)  # let the list's own background reads settle
    mark = len(buf)
    t0 = time.perf_counter()
    os.write(fd, b"%")
    opened = wait_for(b"Project at a glance", mark) - t0
    first = wait_for(b" articles: ", mark) - t0
    os.write(fd, b"\x1bq")
    end = time.perf_counter() + 10
    while time.perf_counter() < end:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.01)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    return opened, first


for project in sys.argv[2:]:
    runs = [run(project) for _ in range(5)]
    o = statistics.median(r[0] for r in runs) * 1000
    f = statistics.median(r[1] for r in runs) * 1000
    print(f"{project}: dashboard on screen {o:.0f} ms after %, first figures {f:.0f} ms (median of 5)")

"""Looks at the report's screenshot and DOM (scripts/report/check.sh).

The screenshot must decode as a PNG, and its rows where the charts are
must hold colour: pixels neither white nor grey text, in several rows
(bars drawn with a size). The DOM must hold the page's sections and
charts with non-zero sizes. Standard library only.
"""

import re
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8, f"bit depth {depth}"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    channels = {2: 3, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, channels, rows


def main(png, dom):
    w, h, ch, rows = read_png(png)
    coloured_rows = 0
    for line in rows:
        n = 0
        for x in range(0, w * ch, ch):
            r, g, b = line[x], line[x + 1], line[x + 2]
            if max(r, g, b) - min(r, g, b) > 40:
                n += 1
        if n >= 5:
            coloured_rows += 1
    print(f"screenshot {w}x{h}: {coloured_rows} rows with coloured chart pixels")
    assert coloured_rows >= 40, "the charts look empty in the screenshot"
    text = open(dom, encoding="utf-8").read()
    for section in ["progress", "annotators", "labels", "suggestions"]:
        assert f'id="{section}"' in text, f"section {section} missing"
    svgs = re.findall(r'<svg[^>]*width="(\d+)"[^>]*height="(\d+)"', text)
    assert len(svgs) >= 3 and all(int(a) > 0 and int(b) > 0 for a, b in svgs), svgs
    rects = re.findall(r'<rect[^>]*width="([\d.]+)"', text)
    assert sum(float(r) > 0 for r in rects) >= 8, "bars with no width"
    print(f"dom: {len(svgs)} charts, {len(rects)} bars")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

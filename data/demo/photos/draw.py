#!/usr/bin/env python3
"""Draws the demo service points' photos: plain illustrations of a Thai government
office (sky, lawn, a white hall under a tiered roof, a flag), one per roof colour.
Standard library only; writes office-1.png … office-4.png beside this file.
The demo data ships with them so that its service points have a photo, as real ones
should; they are drawings, so nobody mistakes them for a real office."""
import os
import struct
import zlib

W, H = 960, 640
ROOFS = [(196, 84, 38), (38, 84, 160), (40, 120, 70), (150, 40, 40)]
WALLS = [(244, 240, 230), (250, 246, 236), (238, 236, 228), (246, 238, 222)]


def png(path, rows):
    raw = b"".join(b"\x00" + bytes(r) for r in rows)

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def draw(n):
    roof, wall = ROOFS[n], WALLS[n]
    px = [[0, 0, 0] * W for _ in range(H)]

    def put(x, y, c):
        if 0 <= x < W and 0 <= y < H:
            px[y][3 * x:3 * x + 3] = c

    def rect(x0, y0, x1, y1, c):
        for y in range(max(0, y0), min(H, y1)):
            row = px[y]
            for x in range(max(0, x0), min(W, x1)):
                row[3 * x:3 * x + 3] = c

    horizon = 470
    for y in range(H):
        if y < horizon:
            t = y / horizon
            c = [int(110 + 110 * t), int(170 + 60 * t), int(235 + 15 * t)]
        else:
            t = (y - horizon) / (H - horizon)
            c = [int(86 - 30 * t), int(150 - 40 * t), int(70 - 20 * t)]
        px[y] = c * W
    # A path to the door.
    for y in range(horizon, H):
        half = 30 + (y - horizon) * 0.9
        for x in range(int(480 - half), int(480 + half)):
            put(x, y, [200, 190, 170])
    # The hall, its columns and windows.
    rect(200, 300, 760, horizon, wall)
    rect(190, horizon - 14, 770, horizon, [200, 196, 186])
    for i in range(8):
        x = 220 + i * 72
        rect(x, 320, x + 16, horizon - 14, [255, 255, 255])
        rect(x + 16, 320, x + 18, horizon - 14, [210, 206, 196])
    for i in range(7):
        x = 246 + i * 72
        rect(x, 350, x + 34, 400, [90, 120, 150])
        rect(x, 350, x + 34, 354, [60, 80, 100])
    rect(445, 380, 515, horizon - 14, [120, 80, 50])
    # A tiered roof: two gables, the upper one narrower, with finials.
    for tier, (top, base, x0, x1) in enumerate([(200, 300, 170, 790), (140, 230, 300, 660)]):
        mid = (x0 + x1) / 2
        for y in range(top, base):
            t = (y - top) / (base - top)
            half = (x1 - x0) / 2 * t
            shade = [max(0, v - 25 * tier) for v in roof]
            for x in range(int(mid - half), int(mid + half)):
                put(x, y, shade)
        for k in range(6):
            put(int(mid), top - k, [214, 170, 60])
            put(int(x0 + 6) + k, base - 6 - k, [214, 170, 60])
            put(int(x1 - 6) - k, base - 6 - k, [214, 170, 60])
    # A pediment with a gold emblem.
    for y in range(240, 290):
        for x in range(455, 505):
            if (x - 480) ** 2 + (y - 265) ** 2 < 22 ** 2:
                put(x, y, [214, 170, 60])
    # The flag: red, white, blue (double), white, red.
    rect(840, 190, 846, horizon, [230, 230, 230])
    stripes = [(165, 25, 49), (244, 245, 248), (45, 42, 74), (45, 42, 74), (244, 245, 248), (165, 25, 49)]
    for i, c in enumerate(stripes):
        rect(846, 196 + i * 10, 930, 206 + i * 10, list(c))
    # Trees either side.
    for cx in (110, 130 if n % 2 else 880, 70):
        rect(cx - 5, 400, cx + 5, horizon, [100, 70, 40])
        for y in range(330, 420):
            for x in range(cx - 45, cx + 45):
                if (x - cx) ** 2 + ((y - 375) * 1.2) ** 2 < 45 ** 2:
                    put(x, y, [50 + (x * 7 + y * 3) % 30, 110 + (x * 5 + y) % 30, 50])
    return px


here = os.path.dirname(os.path.abspath(__file__))
for n in range(4):
    png(os.path.join(here, f"office-{n + 1}.png"), draw(n))

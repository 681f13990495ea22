#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mosaic.py - tile the last frame of every channel into one PNG

Usage: mosaic.py DIR OUT.png [REPORT]
Reads DIR/chN.raw + DIR/chN.txt ("fourcc width height bpl") written by
mcap-capture -o DIR, converts each frame to BGR and tiles them in channel
order, labelled with the per-channel line from REPORT (mcap-capture output).
"""
import math
import re
import sys

import cv2
import numpy as np

CONVERT = {
    "YUYV": cv2.COLOR_YUV2BGR_YUYV,
    "UYVY": cv2.COLOR_YUV2BGR_UYVY,
}


def load(dirname, ch):
    with open(f"{dirname}/ch{ch}.txt") as f:
        fourcc, w, h, bpl = f.read().split()
    w, h, bpl = int(w), int(h), int(bpl)
    raw = np.fromfile(f"{dirname}/ch{ch}.raw", dtype=np.uint8)
    img = raw[: bpl * h].reshape(h, bpl)[:, : w * 2].reshape(h, w, 2)
    return cv2.cvtColor(img, CONVERT[fourcc])


def main():
    dirname, out = sys.argv[1], sys.argv[2]
    labels = {}
    if len(sys.argv) > 3:
        for line in open(sys.argv[3]):
            m = re.match(r"ch(\d+) /dev/\S+: (.*)", line)
            if m:
                labels[int(m.group(1))] = m.group(2)
    tiles = []
    ch = 0
    while True:
        try:
            tiles.append((ch, load(dirname, ch)))
        except FileNotFoundError:
            break
        ch += 1
    if not tiles:
        sys.exit("no frames in " + dirname)
    cols = math.ceil(math.sqrt(len(tiles)))
    rows = math.ceil(len(tiles) / cols)
    th, tw = tiles[0][1].shape[:2]
    mosaic = np.zeros((rows * th, cols * tw, 3), np.uint8)
    for i, (ch, img) in enumerate(tiles):
        img = cv2.resize(img, (tw, th))
        text = f"ch{ch} " + labels.get(ch, "")
        cv2.putText(img, text, (10, th - 16), cv2.FONT_HERSHEY_SIMPLEX,
                    th / 700, (255, 255, 255), max(1, th // 300), cv2.LINE_AA)
        r, c = divmod(i, cols)
        mosaic[r * th:(r + 1) * th, c * tw:(c + 1) * tw] = img
    cv2.imwrite(out, mosaic)
    print(f"mosaic: {len(tiles)} channels, {mosaic.shape[1]}x{mosaic.shape[0]} -> {out}")


if __name__ == "__main__":
    main()

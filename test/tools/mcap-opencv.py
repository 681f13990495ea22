#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mcap-opencv.py - OpenCV cv2.VideoCapture(CAP_V4L2) against a multicap node

Usage: mcap-opencv.py DEVICE WIDTH HEIGHT [FRAMES]
DEVICE is an index ("0") or a path (/dev/video0, /dev/v4l/by-path/...).
Opens it the way applications do (OpenCV's default 640x480 request, then
CAP_PROP_FPS 30), reads FRAMES frames and checks their size is the input's
WIDTHxHEIGHT. The node must show Color Bars: the eight bars are checked
for their colours (75% white, yellow, cyan, green, magenta, red, blue,
black) in the middle line. Exit 0 on success.
"""
import sys

import cv2

BARS = [(191, 191, 191), (0, 191, 191), (191, 191, 0), (0, 191, 0),
        (191, 0, 191), (0, 0, 191), (191, 0, 0), (0, 0, 0)]  # BGR


def main():
    dev, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    frames = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    cap = cv2.VideoCapture(int(dev) if dev.isdigit() else dev, cv2.CAP_V4L2)
    if not cap.isOpened():
        sys.exit(f"{dev}: cannot open")
    cap.set(cv2.CAP_PROP_FPS, 30)
    got = 0
    for _ in range(frames):
        ok, img = cap.read()
        if not ok:
            sys.exit(f"{dev}: read failed after {got} frames")
        got += 1
        if img.shape[:2] != (height, width):
            sys.exit(f"{dev}: frame is {img.shape[1]}x{img.shape[0]}, expected {width}x{height}")
    row = img[height // 2]
    for i, want in enumerate(BARS):
        px = row[int((i + 0.5) * width / 8)]
        if max(abs(int(a) - b) for a, b in zip(px, want)) > 24:
            sys.exit(f"{dev}: bar {i} is {tuple(px)}, expected about {want}")
    print(f"{dev}: {got} frames {width}x{height} at {cap.get(cv2.CAP_PROP_FPS):.1f} fps, colour bars OK")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mcap-pwnodes - the V4L2 Video/Source nodes in a pw-dump, one line each

Usage: pw-dump | mcap-pwnodes.py [--spa FOURCC...]

Prints, for every PipeWire node whose media.class is Video/Source and that
was made from a V4L2 device (api.v4l2.path), one line:

    PATH SERIAL ID FORMATS DESCRIPTION

PATH is the /dev/videoN node, SERIAL the object.serial (pipewiresrc
target-object takes it), ID the object id, FORMATS the raw video formats of
the node's EnumFormat params in PipeWire's names, comma-separated, in the
order the node lists them ("-" if it lists none), and DESCRIPTION the
node.description, the name desktop applications show. Nodes are sorted by
PATH. --spa prints PipeWire's names of V4L2 fourccs (as v4l2-ctl prints
them), one line, comma-separated, "?" for a fourcc PipeWire has no name for.
Exit 0, or 1 if the input is not a pw-dump.
"""
import json
import sys

# V4L2 fourcc -> SPA video format name (spa/plugins/v4l2/v4l2-utils.c)
SPA = {
    "YUYV": "YUY2", "UYVY": "UYVY", "YVYU": "YVYU", "VYUY": "VYUY",
    "RGB3": "RGB", "BGR3": "BGR", "GREY": "GRAY8", "NV12": "NV12",
    "NV21": "NV21", "NV16": "NV16", "NV61": "NV61", "XR24": "BGRx",
    "XB24": "RGBx", "AR24": "BGRA", "AB24": "RGBA", "YU12": "I420",
}


def formats(params):
    out = []
    for p in params.get("EnumFormat") or []:
        if p.get("mediaType") != "video" or p.get("mediaSubtype") != "raw":
            continue
        f = p.get("format")
        if isinstance(f, dict):
            f = f.get("default")
        if f and f not in out:
            out.append(f)
    return out


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--spa":
        print(",".join(SPA.get(f, "?") for f in sys.argv[2:]))
        return 0
    try:
        dump = json.load(sys.stdin)
    except ValueError as e:
        print(f"mcap-pwnodes: not a pw-dump: {e}", file=sys.stderr)
        return 1
    rows = []
    for o in dump:
        if not isinstance(o, dict) or not o.get("type", "").endswith(":Node"):
            continue
        info = o.get("info") or {}
        props = info.get("props") or {}
        if props.get("media.class") != "Video/Source":
            continue
        path = props.get("api.v4l2.path")
        if not path:
            continue
        fmts = formats(info.get("params") or {})
        rows.append((path, props.get("object.serial", "-"), o.get("id"),
                     ",".join(fmts) or "-",
                     props.get("node.description", "-")))
    for r in sorted(rows):
        print(*r)
    return 0


if __name__ == "__main__":
    sys.exit(main())

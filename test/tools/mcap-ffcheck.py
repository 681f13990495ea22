#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mcap-ffcheck.py - check what FFmpeg made of multicap Tagged Lines frames

Usage:
  mcap-ffcheck.py formats FFMPEG_LOG V4L2CTL_LOG
  mcap-ffcheck.py mosaic [-n FRAMES] [--cols C] FILE WIDTH HEIGHT CH...
  mcap-ffcheck.py stamps [-n FRAMES] [--tol-us T] [--clock mono|real --since US]
                         LOG FILE FRAME_BYTES PERIOD_NS
  mcap-ffcheck.py now mono|real

formats: FFMPEG_LOG is the output of `ffmpeg -f v4l2 -list_formats all -i
  NODE`, V4L2CTL_LOG that of `v4l2-ctl -d NODE --list-formats`. Both must
  list the same formats (by description) in the same order. Prints one
  line per format: its fourcc and FFmpeg's name for it ("-" where FFmpeg
  says "Unsupported").
mosaic: FILE holds GREY frames of WIDTHxHEIGHT, each a grid of tiles, C
  (default 2) a row, as xstack's layout 0_0|w0_0|0_h0|w0_h0 puts them.
  Tile k must hold a whole Tagged Lines frame of channel CH[k]: every line
  "MCAP", the channel, one frame number for the whole tile, the line's
  index within the tile, and every payload byte; a tile's frame number
  never goes back from one output frame to the next.
stamps: LOG is FFmpeg's stderr of a run with `-copyts -vf showinfo`, FILE
  the frames the same run wrote (-f rawvideo, FRAME_BYTES each). The frame
  number of each frame is read from its first line's tag. There must be
  as many pts as frames, rising, and each step must be (frame-number step)
  x PERIOD_NS within T microseconds (default 50). With --clock, every pts
  must lie between US and the clock's time now (microseconds).
now: print CLOCK_MONOTONIC or CLOCK_REALTIME in microseconds.

Exit 0 pass, 1 fail, 2 bad usage.
"""
import argparse
import re
import struct
import sys
import time
from fractions import Fraction

TAG = b"MCAP"
RAMP = bytes(range(256)) * 40  # payload of any line up to 9 KiB


def clock_us(name):
    clk = time.CLOCK_MONOTONIC if name == "mono" else time.CLOCK_REALTIME
    return time.clock_gettime_ns(clk) // 1000


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError as e:
        sys.exit(f"mcap-ffcheck: {path}: {e.strerror}")


def open_bin(path):
    try:
        return open(path, "rb")
    except OSError as e:
        sys.exit(f"mcap-ffcheck: {path}: {e.strerror}")


def tagged_line(ch, frame, line, width):
    """The bytes of line @line of a Tagged Lines frame, @width bytes long."""
    off = (frame + line + 16) & 0xff
    return TAG + struct.pack("<III", ch, frame, line) + RAMP[off:off + width - 16]


def line_error(got, ch, frame, line):
    """Describe the first difference of @got from the line it should be."""
    if got[:4] != TAG:
        return f"tag {got[:4]!r}, not 'MCAP'"
    gch, gfr, gln = struct.unpack("<III", got[4:16])
    if gch != ch:
        return f"channel {gch}, expected {ch}"
    if gfr != frame:
        return f"frame number {gfr}, the tile's first line has {frame}"
    if gln != line:
        return f"line number {gln}, expected {line}"
    want = tagged_line(ch, frame, line, len(got))
    i = next(i for i in range(len(got)) if got[i] != want[i])
    return f"payload byte {i}: 0x{got[i]:02x}, expected 0x{want[i]:02x}"


def cmd_formats(a):
    ff = re.findall(r"\] (?:Raw|Compressed) +: +(\S+) : +(.*?) :", read_text(a.ffmpeg_log))
    v4 = re.findall(r"\[\d+\]: '(.{4})' \((.*)\)", read_text(a.v4l2ctl_log))
    if not v4:
        print(f"{a.v4l2ctl_log}: no formats listed")
        return 1
    if [d for _, d in ff] != [d for _, d in v4]:
        print("FFmpeg lists", [d for _, d in ff])
        print("v4l2-ctl lists", [d for _, d in v4])
        return 1
    for (name, _), (fourcc, _) in zip(ff, v4):
        print(fourcc, "-" if name == "Unsupported" else name)
    return 0


def cmd_mosaic(a):
    ntiles = len(a.ch)
    rows = -(-ntiles // a.cols)
    tw, th = a.width // a.cols, a.height // rows
    if tw < 16 or th < 1 or tw * a.cols != a.width or th * rows != a.height:
        print(f"{a.width}x{a.height} does not split into {a.cols}x{rows} tiles")
        return 2
    size = a.width * a.height
    last = [None] * ntiles
    errors = nfr = 0
    with open_bin(a.file) as f:
        while True:
            buf = f.read(size)
            if not buf:
                break
            if len(buf) < size:
                print(f"frame {nfr}: only {len(buf)} of {size} bytes")
                errors += 1
                break
            fns = []
            for k, ch in enumerate(a.ch):
                x0, y0 = (k % a.cols) * tw, (k // a.cols) * th
                first = buf[y0 * a.width + x0:y0 * a.width + x0 + tw]
                fr = struct.unpack("<I", first[8:12])[0]
                fns.append(fr)
                for ln in range(th):
                    o = (y0 + ln) * a.width + x0
                    got = buf[o:o + tw]
                    if got != tagged_line(ch, fr, ln, tw):
                        errors += 1
                        if errors <= 10:
                            print(f"frame {nfr} tile {k} (channel {ch}) line {ln}: "
                                  f"{line_error(got, ch, fr, ln)}")
                        break
                if last[k] is not None and fr < last[k]:
                    errors += 1
                    print(f"frame {nfr} tile {k}: frame number {fr} after {last[k]}")
                last[k] = fr
            print(f"  frame {nfr}: tile frame numbers {fns}")
            nfr += 1
    if not nfr or (a.n and nfr != a.n):
        print(f"{nfr} frames in {a.file}, expected {a.n or 'some'}")
        errors += 1
    print(f"mcap-ffcheck mosaic: {'FAIL' if errors else 'PASS'}: {nfr} frames of "
          f"{ntiles} tiles, channels {a.ch}, errors {errors}")
    return 1 if errors else 0


def frame_numbers(path, frame_bytes):
    fns = []
    with open_bin(path) as f:
        while True:
            buf = f.read(frame_bytes)
            if len(buf) < 16:
                break
            fns.append(struct.unpack("<I", buf[8:12])[0] if buf[:4] == TAG else None)
    return fns


def cmd_stamps(a):
    log = read_text(a.log)
    tb = re.search(r"config in time_base: (\d+)/(\d+)", log)
    pts = [int(p) for p in re.findall(r"\bn: *\d+ pts: *(-?\d+) ", log)]
    if not tb or not pts:
        print(f"{a.log}: no showinfo output (time base, pts)")
        return 1
    unit = Fraction(int(tb.group(1)), int(tb.group(2))) * 1000000
    us = [p * unit for p in pts]
    fns = frame_numbers(a.file, a.frame_bytes)
    now = clock_us(a.clock) if a.clock else None
    errors = []
    if len(fns) != len(us) or (a.n and len(us) != a.n):
        errors.append(f"{len(us)} pts, {len(fns)} frames, expected {a.n or 'as many'}")
    if None in fns:
        errors.append(f"frame {fns.index(None)} has no Tagged Lines tag")
    worst = 0
    steps = {}
    for i in range(1, min(len(us), len(fns))):
        if fns[i] is None or fns[i - 1] is None:
            continue
        dt, df = us[i] - us[i - 1], fns[i] - fns[i - 1]
        steps[df] = steps.get(df, 0) + 1
        dev = abs(dt - Fraction(df * a.period_ns, 1000))
        worst = max(worst, dev)
        if dt <= 0 or df <= 0 or dev > a.tol_us:
            errors.append(f"frame {i}: pts step {float(dt):.1f} us for frame number "
                          f"step {df} ({fns[i - 1]} -> {fns[i]}), expected "
                          f"{df * a.period_ns / 1000:.1f} +- {a.tol_us} us")
    if now is not None and us and (min(us) < a.since or max(us) > now):
        errors.append(f"pts {float(min(us)):.0f}..{float(max(us)):.0f} us not within "
                      f"the run's {a.clock} clock, {a.since}..{now} us")
    for e in errors[:10]:
        print(e)
    print(f"mcap-ffcheck stamps: {'FAIL' if errors else 'PASS'}: {len(us)} pts "
          f"{float(us[0]):.0f}..{float(us[-1]):.0f} us, frame numbers "
          f"{fns[0] if fns else '-'}..{fns[-1] if fns else '-'}, frame-number steps "
          f"{dict(sorted(steps.items()))}, worst deviation {float(worst):.1f} us "
          f"(tolerance {a.tol_us}), errors {len(errors)}")
    return 1 if errors else 0


def positive(s):
    v = int(s, 0)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"{s}: not a positive number")
    return v


def main():
    p = argparse.ArgumentParser(prog="mcap-ffcheck.py", description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n", 2)[2])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("formats", help="FFmpeg's -list_formats against v4l2-ctl's")
    s.add_argument("ffmpeg_log")
    s.add_argument("v4l2ctl_log")
    s = sub.add_parser("mosaic", help="every tile of a GREY mosaic")
    s.add_argument("-n", type=positive, default=0, help="exactly this many frames")
    s.add_argument("--cols", type=positive, default=2, help="tiles a row (default 2)")
    s.add_argument("file")
    s.add_argument("width", type=positive)
    s.add_argument("height", type=positive)
    s.add_argument("ch", type=int, nargs="+", help="channel of each tile")
    s = sub.add_parser("stamps", help="showinfo pts against the frames' tags")
    s.add_argument("-n", type=positive, default=0, help="exactly this many frames")
    s.add_argument("--tol-us", type=float, default=50.0, help="allowed deviation (us)")
    s.add_argument("--clock", choices=["mono", "real"], help="the pts's clock")
    s.add_argument("--since", type=int, help="that clock before the run (us)")
    s.add_argument("log")
    s.add_argument("file")
    s.add_argument("frame_bytes", type=positive)
    s.add_argument("period_ns", type=positive)
    s = sub.add_parser("now", help="a clock, in microseconds")
    s.add_argument("clock", choices=["mono", "real"])
    a = p.parse_args()
    if a.cmd == "stamps" and (a.clock is None) != (a.since is None):
        p.error("stamps: --clock and --since go together")
    if a.cmd == "now":
        print(clock_us(a.clock))
        return 0
    return {"formats": cmd_formats, "mosaic": cmd_mosaic, "stamps": cmd_stamps}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())

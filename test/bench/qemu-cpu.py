#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""qemu-cpu.py - bill the CPU time of QEMU's threads to benchmark runs

Usage: test/bench/qemu-cpu.py RESULTS-DIR QEMU-PID

Host side, beside a VM that runs test/bench/guest-bench-pci.sh. Every 0.1 s
reads RESULTS-DIR/qemu-mark (the guest writes the label GROUP--NAME of the
run it measures there, and empties it after) and the CPU time (utime +
stime) of QEMU's threads:
  device  the main-loop thread (its tid is QEMU's pid): the multicap
          device's timers, descriptor walks and pixel fills run there,
          beside the other devices' (idle during a run)
  vcpus   the TCG vCPU threads ("CPU n/TCG", boot.sh names threads)
  other   every other thread (9p and RCU workers ...)
and adds each interval's time to the label that was marked at its start.
When QEMU exits writes RESULTS-DIR/qemu-cpu.json:
  {"hz": ..., "runs": {LABEL: {"wall_s", "device_s", "vcpus_s", "other_s"}}}
"""
import json
import os
import sys
import time


def thread_times(pid):
    """{tid: (comm, seconds)} of every thread of pid."""
    hz = os.sysconf("SC_CLK_TCK")
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        out[int(tid)] = (comm, (int(fields[11]) + int(fields[12])) / hz)
    return out


def split(pid, times):
    dev = vcpu = other = 0.0
    for tid, (comm, sec) in times.items():
        if tid == pid:
            dev += sec
        elif comm.startswith("CPU ") and comm.endswith("/TCG"):
            vcpu += sec
        else:
            other += sec
    return dev, vcpu, other


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    res, pid = sys.argv[1], int(sys.argv[2])
    mark_file = os.path.join(res, "qemu-mark")
    runs = {}
    prev = None
    while True:
        try:
            times = thread_times(pid)
        except FileNotFoundError:
            break   # QEMU exited
        try:
            with open(mark_file, encoding="utf-8") as f:
                label = f.read().strip()
        except FileNotFoundError:
            label = ""
        now = time.monotonic()
        cur = split(pid, times)
        if prev and prev[0]:
            r = runs.setdefault(prev[0], {"wall_s": 0.0, "device_s": 0.0,
                                          "vcpus_s": 0.0, "other_s": 0.0})
            r["wall_s"] += now - prev[1]
            for key, a, b in zip(("device_s", "vcpus_s", "other_s"), cur, prev[2]):
                r[key] += a - b
        prev = (label, now, cur)
        time.sleep(0.1)
    with open(os.path.join(res, "qemu-cpu.json"), "w", encoding="utf-8") as f:
        json.dump({"hz": os.sysconf("SC_CLK_TCK"), "runs": runs}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

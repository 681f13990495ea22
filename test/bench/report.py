#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""report.py - merge a benchmark run into bench.json, bench.md and PNG plots

Usage: test/bench/report.py RESULTS-DIR [--doc DIR]

Reads RESULTS-DIR/json/*.json (one per mcap-capture / mcap-memcpy run, with
GROUP--NAME.params beside each capture run), computes the headline ratios
and writes RESULTS-DIR/bench.json, bench.md and throughput.png, latency.png,
interrupts.png, scaling.png, and bench.rst.inc (the same tables in
reStructuredText). With --doc DIR the PNGs (as perf-*.png) and the tables
(as perf-results.rst.inc) are also copied there: Documentation/ publishes
a run.

Every ratio compares runs of the same boot. Definitions (also in
Documentation/performance.rst):
  driver CPU   = capture process system time + the card's IRQ thread time
  client CPU   = capture process user + system time + IRQ thread time
  machine busy = all CPUs' time minus idle and iowait (/proc/stat)
"""
import glob
import json
import os
import shutil
import sys

RES = sys.argv[1]
DOC = sys.argv[sys.argv.index("--doc") + 1] if "--doc" in sys.argv else None


def load():
    runs = {}
    for path in sorted(glob.glob(os.path.join(RES, "json", "*.json"))):
        name = os.path.basename(path)[:-5]
        with open(path) as f:
            try:
                r = json.load(f)
            except ValueError as e:
                print(f"report: {path}: {e}", file=sys.stderr)
                continue
        params = {}
        ppath = path[:-5] + ".params"
        if os.path.exists(ppath):
            for line in open(ppath):
                if "=" in line:
                    k, v = line.strip().split("=", 1)
                    params[k] = v
        r["params"] = params
        runs[name] = r
    return runs


RUNS = load()


def group(g):
    return {k.split("--", 1)[1]: v for k, v in RUNS.items() if k.startswith(g + "--")}


def per_frame_us(r, what):
    c = r["cpu_s"]
    v = {"driver": c["process_sys"] + c["irq_threads"],
         "client": c["process"] + c["irq_threads"],
         "busy": c["machine_busy"],
         "process": c["process"]}[what]
    return 1e6 * v / r["frames"] if r["frames"] else float("nan")


def fmt(x, nd=1):
    if x is None or x != x:
        return "n/a"
    return f"{x:.{nd}f}"


def ratio_goal(value, goal, op):
    if value is None or value != value:
        return "not measured"
    ok = value >= goal if op == ">=" else value <= goal
    if ok:
        return "met"
    miss = (goal - value) / goal if op == ">=" else (value - goal) / goal
    return f"missed by {100 * miss:.0f} %"


def load_mbs(r):
    return r["mb_per_s"]


md = []
summary = {}
memcpy = {k: v["mb_per_s"] for k, v in group("memcpy").items()}
idle = group("idle").get("3s")
idle_busy = None
if idle:
    idle_busy = idle["ncpus"] - idle["idle_ticks"] / idle["hz"] / idle["seconds"]

md.append("# multicap benchmark results\n")
md.append(f"Results folder: `{os.path.basename(os.path.abspath(RES))}`. Every figure "
          "comes from this one VM boot (QEMU TCG, 2 vCPUs); compare ratios, not "
          "absolute numbers, across machines.\n")
md.append("Reference: memcpy of 4147200-byte frames (1920x1080 YUYV): "
          + ", ".join(f"{fmt(v, 0)} MB/s ({k[1:]} thread{'s' if k != 't1' else ''})"
                      for k, v in sorted(memcpy.items()))
          + (f"; idle machine busy {fmt(idle_busy, 3)} CPUs." if idle_busy is not None else ".")
          + "\n")

# ---- throughput ---------------------------------------------------------
search = group("search")
sustained = group("sustained")
md.append("## Sustained throughput (0 drops)\n")
md.append("| run | load | window s | MB/s | drops | machine busy (CPUs) | busy us/frame |")
md.append("|---|---|---:|---:|---:|---:|---:|")
for kind, grp in (("search", search), ("sustained", sustained)):
    for k, r in sorted(grp.items(), key=lambda kv: load_mbs(kv[1])):
        p = r["params"]
        md.append(f"| {kind} | {p.get('channels')} x {p.get('mode')} | {fmt(r['window_s'])} "
                  f"| {fmt(r['mb_per_s'])} | {r['drops']} "
                  f"| {fmt(r['cpu_s']['machine_busy'] / r['window_s'], 2)} "
                  f"| {fmt(per_frame_us(r, 'busy'), 0)} |")
best = None
for k, r in sustained.items():
    if r["drops"] == 0 and r["frames"] and (best is None or r["mb_per_s"] > best["mb_per_s"]):
        best = r
if best:
    t1 = memcpy.get("t1")
    t2 = memcpy.get("t2")
    summary["throughput"] = {
        "load": f"{best['params'].get('channels')} x {best['params'].get('mode')}",
        "seconds": best["window_s"], "mb_per_s": best["mb_per_s"],
        "memcpy_1t_mb_per_s": t1, "memcpy_2t_mb_per_s": t2,
        "ratio_1t": best["mb_per_s"] / t1 if t1 else None,
        "ratio_2t": best["mb_per_s"] / t2 if t2 else None,
    }
    s = summary["throughput"]
    md.append(f"\nLargest load sustained with 0 drops: **{s['load']}** for "
              f"{fmt(s['seconds'], 0)} s, {fmt(s['mb_per_s'])} MB/s = "
              f"**{fmt(s['ratio_1t'], 3)}** of one thread's memcpy "
              f"({fmt(s['ratio_2t'], 3)} of two threads').\n")
else:
    md.append("\nNo load was sustained without drops.\n")

# ---- latency ------------------------------------------------------------
lat = group("latency")
md.append("## Latency, 1 channel, MMAP (us)\n")
md.append("| mode | frames | drops | DQBUF - timestamp p50 / p99 / max | DQBUF - end of frame p50 / p99 / max |")
md.append("|---|---:|---:|---|---|")
lat_rows = []


def lat3(d):
    return f"{d['p50_us']:.0f} / {d['p99_us']:.0f} / {d['max_us']:.0f}" if d else "n/a"


for k, r in sorted(lat.items(), key=lambda kv: kv[1]["width"] * kv[1]["height"]):
    md.append(f"| {k} | {r['frames']} | {r['drops']} | {lat3(r['latency_ts'])} | {lat3(r['latency_eof'])} |")
    lat_rows.append((k, r))
if lat_rows:
    worst = max(r["latency_ts"]["p99_us"] for _, r in lat_rows if r["latency_ts"])
    summary["latency_p99_max_us"] = worst
    md.append(f"\nWorst p99 (DQBUF - timestamp) over the modes: **{worst:.0f} us**.\n")

# ---- zero copy ----------------------------------------------------------
zc = group("zerocopy")
md.append("## Zero copy\n")
md.append("| run | frame bytes | frames | driver us/frame | of which IRQ thread | of which process sys | client us/frame | machine busy us/frame |")
md.append("|---|---:|---:|---:|---:|---:|---:|---:|")
for k, r in sorted(zc.items(), key=lambda kv: kv[1]["sizeimage"]):
    md.append(f"| no-fill {k} | {r['sizeimage']} | {r['frames']} | {fmt(per_frame_us(r, 'driver'))} "
              f"| {fmt(1e6 * r['cpu_s']['irq_threads'] / r['frames'])} "
              f"| {fmt(1e6 * r['cpu_s']['process_sys'] / r['frames'])} "
              f"| {fmt(per_frame_us(r, 'client'))} | {fmt(per_frame_us(r, 'busy'), 0)} |")
if len(zc) == 2:
    small, big = sorted(zc.values(), key=lambda r: r["sizeimage"])
    summary["zerocopy_6x_ratio"] = per_frame_us(big, "driver") / per_frame_us(small, "driver")
    md.append(f"\nDriver CPU per frame at {big['sizeimage'] / small['sizeimage']:.0f}x the bytes "
              f"per line: **{fmt(summary['zerocopy_6x_ratio'], 2)}x** (goal <= 1.1: "
              f"{ratio_goal(summary['zerocopy_6x_ratio'], 1.1, '<=')}).\n")
io = group("io").get("read")
mm = lat.get("1920x1080p60")
if io and mm:
    md.append("| io (1 x 1920x1080p60) | frames | drops | client us/frame | driver us/frame |")
    md.append("|---|---:|---:|---:|---:|")
    for name, r in (("MMAP", mm), ("read()", io)):
        md.append(f"| {name} | {r['frames']} | {r['drops']} | {fmt(per_frame_us(r, 'client'))} "
                  f"| {fmt(per_frame_us(r, 'driver'))} |")
    summary["mmap_over_read"] = per_frame_us(mm, "client") / per_frame_us(io, "client")
    md.append(f"\nMMAP / read() client CPU per frame: **{fmt(summary['mmap_over_read'], 3)}** "
              f"(1/{fmt(1 / summary['mmap_over_read'], 1)}; goal <= 1/5: "
              f"{ratio_goal(summary['mmap_over_read'], 0.2, '<=')}).\n")

# ---- interrupts ---------------------------------------------------------
irq = group("irq")
md.append("## Interrupt load (320x240p30, no fill)\n")
md.append("| lines/chunk | channels | frames/s | interrupts/s | interrupts/frame | drops | driver us/frame |")
md.append("|---:|---:|---:|---:|---:|---:|---:|")
irq_rows = []
for k, r in irq.items():
    p = r["params"]
    lpc, n = int(p["lpc"]), int(p["channels"])
    fps = r["frames"] / r["window_s"]
    ips = r["interrupts"] / r["window_s"]
    irq_rows.append((lpc, n, fps, ips, r))
irq_rows.sort()
for lpc, n, fps, ips, r in irq_rows:
    md.append(f"| {lpc} | {n} | {fmt(fps)} | {fmt(ips)} | {fmt(ips / fps if fps else None, 3)} "
              f"| {r['drops']} | {fmt(per_frame_us(r, 'driver'))} |")
if irq_rows:
    worst = max(ips / fps for _, _, fps, ips, _ in irq_rows if fps)
    summary["interrupts_per_frame_max"] = worst
    md.append(f"\nMost interrupts per frame: **{fmt(worst, 3)}** (goal <= 1: "
              f"{ratio_goal(worst, 1.0, '<=')}).\n")
poll = group("poll")
if len(poll) == 2:
    md.append("| service (4 x 1280x720p60) | frames | drops | interrupts | polls | driver us/frame | sys+irq+softirq us/frame | machine busy (CPUs) | DQBUF - end of frame p50 / p99 / max us |")
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for k, r in sorted(poll.items()):
        name = "interrupt" if k == "us0" else f"polling {k[2:]} us"
        d = r["driver_stats"]
        md.append(f"| {name} | {r['frames']} | {r['drops']} | {d['interrupts']} | {d['polls']} "
                  f"| {fmt(per_frame_us(r, 'driver'))} "
                  f"| {fmt(1e6 * r['cpu_s']['sys_irq_softirq'] / r['frames'], 0)} "
                  f"| {fmt(r['cpu_s']['machine_busy'] / r['window_s'], 2)} "
                  f"| {lat3(r['latency_eof'])} |")
    pi, pp = poll["us0"], poll["us1000"]
    summary["polling_vs_irq"] = {
        "driver_cpu_ratio": per_frame_us(pp, "driver") / per_frame_us(pi, "driver"),
        "busy_ratio": pp["cpu_s"]["machine_busy"] / pi["cpu_s"]["machine_busy"],
        "eof_p50_delta_us": pp["latency_eof"]["p50_us"] - pi["latency_eof"]["p50_us"],
    }
    s = summary["polling_vs_irq"]
    md.append("\nIn polling mode the completion passes run in a softirq hrtimer, which no "
              "thread owns: the driver column misses them, machine busy does not.\n")
    md.append(f"\nPolling every 1 ms against the interrupt: driver CPU per frame x{fmt(s['driver_cpu_ratio'], 2)}, "
              f"machine busy x{fmt(s['busy_ratio'], 2)}, end-of-frame latency p50 "
              f"{'+' if s['eof_p50_delta_us'] >= 0 else ''}{s['eof_p50_delta_us']:.0f} us.\n")

# ---- scaling ------------------------------------------------------------
sc = group("scaling")
md.append("## Scaling (640x480p30, lines per chunk 16)\n")
md.append("| cards x channels | frames/s | drops | client CPU % per channel | driver us/frame | machine busy % per channel |")
md.append("|---|---:|---:|---:|---:|---:|")
sc_rows = []
for k, r in sc.items():
    p = r["params"]
    n = int(p["channels"])
    cards = int(p["cards"])
    c = r["cpu_s"]
    cli = 100 * (c["process"] + c["irq_threads"]) / r["window_s"] / n
    bus = 100 * c["machine_busy"] / r["window_s"] / n
    sc_rows.append((cards, n, r, cli, bus))
sc_rows.sort()
for cards, n, r, cli, bus in sc_rows:
    md.append(f"| {cards} x {n // cards} | {fmt(r['frames'] / r['window_s'])} | {r['drops']} "
              f"| {fmt(cli, 2)} | {fmt(per_frame_us(r, 'driver'))} | {fmt(bus, 2)} |")
one = [x for x in sc_rows if x[0] == 1]
if len(one) >= 2:
    dr = [per_frame_us(x[2], "driver") for x in one]
    summary["scaling_driver_us_per_frame_spread"] = max(dr) / min(dr)
    md.append(f"\nDriver CPU per frame, most over least across 1-16 channels: "
              f"**{fmt(summary['scaling_driver_us_per_frame_spread'], 2)}x**.\n")

# ---- vivid --------------------------------------------------------------
viv = group("vivid")
if viv and mm:
    md.append("## vivid at the same mode (1 x 1920x1080p60, MMAP)\n")
    md.append("| driver | fps | drops | client us/frame | machine busy us/frame | DQBUF - end of frame p50 / p99 / max us |")
    md.append("|---|---:|---:|---:|---:|---|")
    for name, r in (("multicap", mm), ("vivid", list(viv.values())[0])):
        # vivid stamps frames with their nominal time, not at delivery
        md.append(f"| {name} | {fmt(r['frames'] / r['window_s'])} | {r['drops']} "
                  f"| {fmt(per_frame_us(r, 'client'))} | {fmt(per_frame_us(r, 'busy'), 0)} "
                  f"| {lat3(r['latency_eof']) if r['driver'] == 'multicap' else 'n/a'} |")
    md.append("\nvivid's timestamps are nominal (frame count x period), not taken at "
              "delivery: its latency is not comparable.\n")

# ---- over PCIe: the QEMU card --------------------------------------------
QCPU = {}
if os.path.exists(os.path.join(RES, "qemu-cpu.json")):
    with open(os.path.join(RES, "qemu-cpu.json")) as f:
        QCPU = json.load(f)["runs"]


def device_thread(group_name, key, r):
    """QEMU device thread: (% of one host core, us per delivered frame)."""
    q = QCPU.get(f"{group_name}--{key}")
    if not q or not q["wall_s"] or not r["frames"]:
        return None, None
    share = q["device_s"] / q["wall_s"]
    return 100 * share, 1e6 * share / (r["frames"] / r["window_s"])


pmem = {k: v["mb_per_s"] for k, v in group("pci-memcpy").items()}
pci_groups = [(g, group(g)) for g in ("pci-search", "pci-sustained", "pci-scaling")]
if any(grp for _, grp in pci_groups):
    md.append("## Over PCIe: the QEMU card (one card, 16 channels)\n")
    md.append("A second boot with the card as a QEMU PCIe device: its DMA engines and "
              "pixel fills run in QEMU's main-loop thread on the host, not on the guest's "
              "vCPUs. Reference memcpy in that boot: "
              + ", ".join(f"{fmt(v, 0)} MB/s ({k[1:]} thread{'s' if k != 't1' else ''})"
                          for k, v in sorted(pmem.items())) + ".\n")
    md.append("| run | load | window s | MB/s | drops | driver us/frame | client us/frame "
              "| QEMU device thread % of a core | device thread us/frame |")
    md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for g, grp in pci_groups:
        for k, r in sorted(grp.items(), key=lambda kv: (int(kv[1]["params"].get("channels", 0)),
                                                          kv[1]["params"].get("mode", ""))):
            p = r["params"]
            pct, dus = device_thread(g, k, r)
            md.append(f"| {g[4:]} | {p.get('channels')} x {p.get('mode')} | {fmt(r['window_s'])} "
                      f"| {fmt(r['mb_per_s'])} | {r['drops']} | {fmt(per_frame_us(r, 'driver'))} "
                      f"| {fmt(per_frame_us(r, 'client'))} | {fmt(pct)} | {fmt(dus)} |")
    best = None
    for k, r in group("pci-sustained").items():
        if r["drops"] == 0 and r["frames"] and (best is None or r["mb_per_s"] > best["mb_per_s"]):
            best = r
    if best:
        t1, t2 = pmem.get("t1"), pmem.get("t2")
        summary["pci_throughput"] = {
            "load": f"{best['params'].get('channels')} x {best['params'].get('mode')}",
            "channels": int(best["params"].get("channels", 0)),
            "seconds": best["window_s"], "mb_per_s": best["mb_per_s"],
            "ratio_1t": best["mb_per_s"] / t1 if t1 else None,
            "ratio_2t": best["mb_per_s"] / t2 if t2 else None,
        }
        s = summary["pci_throughput"]
        md.append(f"\nLargest load sustained with 0 drops over PCIe: **{s['load']}** for "
                  f"{fmt(s['seconds'], 0)} s, {fmt(s['mb_per_s'])} MB/s = "
                  f"**{fmt(s['ratio_1t'], 3)}** of one thread's memcpy in that boot.\n")
    else:
        md.append("\nNo load was sustained without drops over PCIe.\n")
    psc = {int(r["params"]["channels"]): r for r in group("pci-scaling").values()}
    if 1 in psc and 16 in psc:
        summary["pci_driver_16_over_1"] = (per_frame_us(psc[16], "driver")
                                           / per_frame_us(psc[1], "driver"))
        md.append(f"Driver CPU per frame, 16 channels over 1 (640x480p30): "
                  f"**{fmt(summary['pci_driver_16_over_1'], 2)}x**.\n")

# ---- frame timing: card-clock timestamps against the VM's floor ---------
tim = [(name, group(g).get("timing")) for name, g in (("platform", "timing"), ("PCIe", "pci-timing"))]
tim = [(n, t) for n, t in tim if t]
if tim:
    md.append("## Frame timing (1 x 1920x1080p60, card-clock timestamps)\n")
    md.append("cyclictest (1 ms interval, SCHED_FIFO 90) in the same boot gives the VM's own "
              "wake-up latency; the driver's share is what its figures add on top.\n")
    md.append("| card | cyclictest p50 / p99 / max us | timestamp spacing - period, p99 / max us "
              "| end of frame to DQBUF p50 / p99 / max us | excess p99 over cyclictest us "
              "| 64 lines take us | 64th line landed to application p50 / p99 / max us | excess p99 us |")
    md.append("|---|---|---|---|---:|---:|---|---:|")
    for name, t in tim:
        cy, eof, f64, sp = t.get("cyclictest"), t.get("eof_to_dqbuf"), t.get("first64"), t.get("spacing")
        ex = eof["p99_us"] - cy["p99_us"] if eof and cy else None
        ex64 = f64["p99_us"] - cy["p99_us"] if f64 and cy else None
        spacing = f"{sp['p99_us']:.1f} / {sp['max_us']:.1f}" if sp else "n/a"
        md.append(f"| {name} | {lat3(cy)} | {spacing} "
                  f"| {lat3(eof)} | {fmt(ex, 0)} | {fmt(t.get('lines64_us'), 0)} | {lat3(f64)} | {fmt(ex64, 0)} |")
        summary[f"timing_{name.lower()}"] = {"eof_excess_p99_us": ex, "first64_excess_p99_us": ex64,
                                             "spacing": sp, "cyclictest": cy}

# ---- per-frame cost over PCIe: lines per chunk and channels ---------------
cost = {(int(r["params"]["lpc"]), int(r["params"]["channels"])): r for r in group("pci-cost").values()}
if cost:
    md.append("## Per-frame cost over PCIe (640x480p60)\n")
    md.append("The card's work runs in QEMU here, so the guest's kernel time (system, "
              "hard and soft interrupt, /proc/stat) is the driver's, vb2's and the "
              "client's system calls; it is sampled at the tick.\n")
    md.append("| lines/chunk | channels | frames | drops | interrupts/frame | kernel us/frame | driver us/frame |")
    md.append("|---:|---:|---:|---:|---:|---:|---:|")
    for (lpc, n), r in sorted(cost.items()):
        ipf = r["driver_stats"]["interrupts"] / r["frames"] if r["frames"] else None
        md.append(f"| {lpc} | {n} | {r['frames']} | {r['drops']} | {fmt(ipf, 2)} "
                  f"| {fmt(1e6 * r['cpu_s']['sys_irq_softirq'] / r['frames'] if r['frames'] else None)} "
                  f"| {fmt(per_frame_us(r, 'driver'))} |")

    def kus(k):
        r = cost.get(k)
        return 1e6 * r["cpu_s"]["sys_irq_softirq"] / r["frames"] if r and r["frames"] else None
    for key, a, b in (("cost_lpc1_over_lpc64", (1, 1), (64, 1)), ("cost_ch16_over_ch1", (64, 16), (64, 1))):
        if kus(a) and kus(b):
            summary[key] = kus(a) / kus(b)
    md.append("")

# ---- egress: recording to disk, streaming to the network -----------------
eg = group("egress")
if eg:
    md.append("## Egress: mcap-record and mcap-send against their --copy baselines\n")
    md.append("CPU is the machine's busy time during the run less what capturing the same "
              "frames costs without egress (a capture-only run, per frame), per GB; "
              "`self` is the tool's own CPU (rusage). The card runs without fill.\n")
    raw, rmax = eg.get("disk-raw"), eg.get("rec-max")
    if raw:
        md.append(f"Disk: fio O_DIRECT io_uring, {raw['block']}-byte writes, {raw.get('files', 1)} files "
                  f"at depth {raw['depth']}: {fmt(raw['mb_per_s'])} MB/s. mcap-record, 8 x 1920x1080p60 "
                  f"(2 GB/s offered): {fmt(rmax['recorder_mb_per_s']) if rmax else 'n/a'} MB/s "
                  f"while recording (each channel's rate, summed), {fmt(rmax['mb_per_s']) if rmax else 'n/a'} MB/s "
                  f"over the whole run with start-up ({rmax['frames'] if rmax else 'n/a'} frames in "
                  f"{fmt(rmax['secs']) if rmax else 'n/a'} s).\n")
        # the recorder's steady rate: each channel's bytes over its own first
        # to last frame, summed (the wall time adds start-up and teardown)
        if rmax and raw["mb_per_s"]:
            summary["record_over_raw"] = rmax["recorder_mb_per_s"] / raw["mb_per_s"]
            summary["record_wall_over_raw"] = rmax["mb_per_s"] / raw["mb_per_s"]
    md.append("| run | GB | seconds | net CPU s/GB | self CPU s/GB | page cache growth (MiB) | zerocopy / copied completions |")
    md.append("|---|---:|---:|---:|---:|---:|---:|")
    for k in ("rec-cost", "rec-copy", "send-zc", "send-copy", "tcp-zc", "tcp-copy"):
        r = eg.get(k)
        if not r:
            continue
        zc = f"{r['zc']} / {r['copied']}" if "zc" in r else ""
        md.append(f"| {k} | {fmt(r['bytes'] / 1e9, 3)} | {fmt(r['secs'])} | {fmt(r['net_cpu_s_per_gb'], 2)} "
                  f"| {fmt(r['self_cpu_s_per_gb'], 2)} | {fmt(r['cache_kb'] / 1024, 1)} | {zc} |")
    md.append("")
    for a, b, key in (("rec-cost", "rec-copy", "record_cpu_over_copy"),
                      ("send-zc", "send-copy", "send_cpu_over_copy"),
                      ("tcp-zc", "tcp-copy", "tcp_cpu_over_copy")):
        if a in eg and b in eg and eg[b]["net_cpu_s_per_gb"] > 0:
            summary[key] = eg[a]["net_cpu_s_per_gb"] / eg[b]["net_cpu_s_per_gb"]
        if a in eg and b in eg and eg[b]["self_cpu_s_per_gb"] > 0:
            summary[key + "_self"] = eg[a]["self_cpu_s_per_gb"] / eg[b]["self_cpu_s_per_gb"]
    if "rec-cost" in eg:
        summary["record_cache_mib"] = eg["rec-cost"]["cache_kb"] / 1024
    if "send-zc" in eg:
        summary["send_copied"] = eg["send-zc"]["copied"]

# ---- goals --------------------------------------------------------------
goals = []
t = summary.get("throughput")
if t:
    goals.append((f"Throughput, 0 drops for {t['seconds']:.0f} s: delivered / memcpy MB/s", ">= 0.9",
                  f"{fmt(t['ratio_1t'], 3)} (1 thread), {fmt(t['ratio_2t'], 3)} (2 threads): {t['load']}",
                  ratio_goal(t["ratio_1t"], 0.9, ">=")))
if "zerocopy_6x_ratio" in summary:
    goals.append(("No-fill driver CPU per frame, 6x bytes per line", "<= 1.1",
                  fmt(summary["zerocopy_6x_ratio"], 2), ratio_goal(summary["zerocopy_6x_ratio"], 1.1, "<=")))
if "mmap_over_read" in summary:
    goals.append(("Client CPU per frame, MMAP / read()", "<= 0.2",
                  fmt(summary["mmap_over_read"], 3), ratio_goal(summary["mmap_over_read"], 0.2, "<=")))
if "interrupts_per_frame_max" in summary:
    goals.append(("Interrupts per frame, lines per chunk 1-64, 1-16 channels", "<= 1",
                  fmt(summary["interrupts_per_frame_max"], 3),
                  ratio_goal(summary["interrupts_per_frame_max"], 1.0, "<=")))
if "latency_p99_max_us" in summary:
    goals.append(("Latency p99, DQBUF - timestamp, worst mode (us)", "<= 1000",
                  fmt(summary["latency_p99_max_us"], 0),
                  ratio_goal(summary["latency_p99_max_us"], 1000, "<=")))
t = summary.get("pci_throughput")
if t or QCPU:
    goals.append(("PCIe: 16 x 1920x1080p60 for 60 s with 0 drops", "16 channels",
                  f"{t['load']}, {fmt(t['seconds'], 0)} s" if t else "no 0-drop load",
                  "met" if t and t["channels"] >= 16 and t["load"].endswith("1920x1080p60")
                  and t["seconds"] >= 59 else "missed"))
if "pci_driver_16_over_1" in summary:
    goals.append(("PCIe: driver CPU per frame, 16 channels / 1 channel", "<= 1.1",
                  fmt(summary["pci_driver_16_over_1"], 2),
                  ratio_goal(summary["pci_driver_16_over_1"], 1.1, "<=")))
for name in ("platform", "pcie"):
    tt = summary.get(f"timing_{name}")
    if not tt:
        continue
    if tt["eof_excess_p99_us"] is not None:
        goals.append((f"{name}: end of frame to DQBUF p99, excess over cyclictest p99 (us)", "<= 200",
                      fmt(tt["eof_excess_p99_us"], 0), ratio_goal(tt["eof_excess_p99_us"], 200, "<=")))
    if tt["spacing"]:
        goals.append((f"{name}: timestamp spacing - frame period, p99 (us)", "<= 10",
                      fmt(tt["spacing"]["p99_us"], 1), ratio_goal(tt["spacing"]["p99_us"], 10, "<=")))
    if tt["first64_excess_p99_us"] is not None:
        goals.append((f"{name}: first 64 lines to the application p99, excess over cyclictest p99 (us)",
                      "<= 200", fmt(tt["first64_excess_p99_us"], 0),
                      ratio_goal(tt["first64_excess_p99_us"], 200, "<=")))
for key, label in (("cost_lpc1_over_lpc64", "PCIe: kernel CPU per frame, 1 / 64 lines per chunk"),
                   ("cost_ch16_over_ch1", "PCIe: kernel CPU per frame, 16 / 1 channels")):
    if key in summary:
        goals.append((label, "<= 1.1", fmt(summary[key], 2), ratio_goal(summary[key], 1.1, "<=")))
if "record_over_raw" in summary:
    goals.append(("Recorder MB/s / raw O_DIRECT MB/s of the same disk (whole run with start-up)", ">= 0.9",
                  f"{fmt(summary['record_over_raw'], 2)} ({fmt(summary['record_wall_over_raw'], 2)})",
                  ratio_goal(summary["record_over_raw"], 0.9, ">=")))
if "record_cpu_over_copy" in summary:
    goals.append(("Recorder net CPU per GB / --copy (self: the tool's own)", "<= 0.2",
                  f"{fmt(summary['record_cpu_over_copy'], 3)} (self {fmt(summary.get('record_cpu_over_copy_self'), 3)})",
                  ratio_goal(summary["record_cpu_over_copy"], 0.2, "<=")))
if "record_cache_mib" in summary:
    goals.append(("Recorder page-cache growth (MiB)", "~ 0", fmt(summary["record_cache_mib"], 1),
                  ratio_goal(summary["record_cache_mib"], 8, "<=")))
if "send_cpu_over_copy" in summary:
    goals.append(("Sender net CPU per GB / --copy (self: the tool's own)", "<= 0.33",
                  f"{fmt(summary['send_cpu_over_copy'], 3)} (self {fmt(summary.get('send_cpu_over_copy_self'), 3)})",
                  ratio_goal(summary["send_cpu_over_copy"], 0.33, "<=")))
if "tcp_cpu_over_copy" in summary:
    goals.append(("Sender over TCP: net CPU per GB / --copy (self: the tool's own)", "<= 0.33",
                  f"{fmt(summary['tcp_cpu_over_copy'], 3)} (self {fmt(summary.get('tcp_cpu_over_copy_self'), 3)})",
                  ratio_goal(summary["tcp_cpu_over_copy"], 0.33, "<=")))
if "send_copied" in summary:
    goals.append(("Sender copied completions", "0", str(summary["send_copied"]),
                  "met" if summary["send_copied"] == 0 else "missed"))
if goals:
    md.insert(3, "## Goals\n")
    md.insert(4, "| figure | goal | measured | verdict |\n|---|---|---|---|\n"
              + "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in goals) + "\n")
summary["goals"] = [dict(zip(("figure", "goal", "measured", "verdict"), g)) for g in goals]

# ---- plots --------------------------------------------------------------
pngs = []
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def save(fig, name):
        path = os.path.join(RES, name)
        fig.tight_layout()
        fig.savefig(path, dpi=80)
        plt.close(fig)
        pngs.append(path)

    rows = sorted(list(search.values()) + list(sustained.values()), key=load_mbs)
    if rows:
        fig, ax = plt.subplots(figsize=(7, 3.5))
        labels = [f"{r['params'].get('channels')}x{r['params'].get('mode')}"
                  + ("\n60 s" if r in sustained.values() else "") for r in rows]
        cols = ["tab:green" if r["drops"] == 0 else "tab:red" for r in rows]
        ax.bar(range(len(rows)), [r["mb_per_s"] for r in rows], color=cols)
        for v, lab in ((memcpy.get("t1"), "memcpy 1 thread"), (memcpy.get("t2"), "memcpy 2 threads")):
            if v:
                ax.axhline(v, ls="--", color="gray")
                ax.text(-0.4, v, lab, va="bottom", fontsize=8)
        ax.set_xticks(range(len(rows)))
        ax.set_xticklabels(labels, fontsize=7, rotation=30, ha="right")
        ax.set_ylabel("delivered MB/s")
        ax.set_title("Throughput (green: 0 drops, red: drops)")
        save(fig, "throughput.png")
    if lat_rows:
        fig, ax = plt.subplots(figsize=(7, 3.5))
        x = range(len(lat_rows))
        for i, (key, lab) in enumerate((("p50_us", "p50"), ("p99_us", "p99"), ("max_us", "max"))):
            ax.bar([j + (i - 1) * 0.27 for j in x],
                   [r["latency_ts"][key] / 1000 for _, r in lat_rows], width=0.27, label=lab)
        ax.axhline(1.0, ls="--", color="gray")
        ax.set_yscale("log")
        ax.set_xticks(list(x))
        ax.set_xticklabels([k for k, _ in lat_rows])
        ax.set_ylabel("DQBUF - timestamp, ms")
        ax.set_title("Latency per mode, 1 channel (dashed: 1 ms goal for p99)")
        ax.legend(fontsize=8)
        save(fig, "latency.png")
    if irq_rows:
        fig, ax = plt.subplots(figsize=(7, 3.5))
        for n in sorted({r[1] for r in irq_rows}):
            pts = [(lpc, ips / fps) for lpc, nn, fps, ips, _ in irq_rows if nn == n and fps]
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=f"{n} channels")
        ax.axhline(1.0, ls="--", color="gray")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("lines per chunk")
        ax.set_ylabel("interrupts / frame")
        ax.set_ylim(bottom=0)
        ax.set_title("Interrupt load (dashed: goal, at most 1 per frame)")
        ax.legend(fontsize=8)
        save(fig, "interrupts.png")
    if sc_rows:
        fig, ax = plt.subplots(figsize=(7, 3.5))
        labels = [f"{c}x{n // c}" for c, n, _, _, _ in sc_rows]
        ax.plot(range(len(sc_rows)), [x[3] for x in sc_rows], marker="o", label="client CPU % / channel")
        ax.plot(range(len(sc_rows)), [x[4] for x in sc_rows], marker="s", label="machine busy % / channel")
        ax.set_xticks(range(len(sc_rows)))
        ax.set_xticklabels(labels)
        ax.set_xlabel("cards x channels")
        ax.set_ylim(bottom=0)
        ax.set_title("Scaling, 640x480p30")
        ax.legend(fontsize=8)
        save(fig, "scaling.png")
except ImportError as e:
    print(f"report: no plots ({e}); install python3-matplotlib", file=sys.stderr)

md.append("Plots: " + ", ".join(os.path.basename(p) for p in pngs) + "\n")
with open(os.path.join(RES, "bench.md"), "w") as f:
    f.write("\n".join(md))
with open(os.path.join(RES, "bench.json"), "w") as f:
    json.dump({"summary": summary, "memcpy_mb_per_s": memcpy, "runs": RUNS}, f, indent=1)


def rst_table(block):
    rows = [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in block
            if not set(ln.replace("|", "").strip()) <= set("-: ")]
    rows = [[c.replace("`", "``") for c in r] for r in rows]
    w = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    rule = "  ".join("=" * x for x in w)
    out = [rule, "  ".join(c.ljust(x) for c, x in zip(rows[0], w)), rule]
    out += ["  ".join((c or "..").ljust(x) for c, x in zip(r, w)) for r in rows[1:]]
    return out + [rule]


def to_rst(lines):
    out, block = [], []
    for ln in "\n".join(lines).split("\n"):
        if ln.startswith("|"):
            block.append(ln)
            continue
        if block:
            out += rst_table(block) + [""]
            block = []
        if ln.startswith("# ") or ln.startswith("Plots: "):
            continue
        if ln.startswith("## "):
            out += [ln[3:], "~" * len(ln[3:])]
        else:
            out.append(ln.replace("`", "``"))
    if block:
        out += rst_table(block)
    return "\n".join(out) + "\n"


with open(os.path.join(RES, "bench.rst.inc"), "w") as f:
    f.write(".. generated by test/bench/report.py from " + os.path.basename(os.path.abspath(RES))
            + "\n\n" + to_rst(md))
if DOC:
    for p in pngs:
        shutil.copy(p, os.path.join(DOC, "perf-" + os.path.basename(p)))
    shutil.copy(os.path.join(RES, "bench.rst.inc"), os.path.join(DOC, "perf-results.rst.inc"))
print(json.dumps(summary, indent=1))

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""multicap-qtest.py - exercise the QEMU "multicap" device without a guest

Usage: test/vm/multicap-qtest.py [QEMU [EXTRA-QEMU-ARGS ...]]
       test/vm/multicap-qtest.py "$QEMU" -device intel-iommu,intremap=off

Starts QEMU (default: the binary test/vm/build-qemu.sh prints) with the qtest
accelerator, no firmware and no guest, and drives two cards through qtest
(PCI config cycles on 0xcf8/0xcfc, MMIO, guest RAM, the virtual clock) and
QMP (qom-get/qom-set): PCI identity and capabilities, registers (VERSION
2.0, CAPS, SYNC, IRQ_MASK and CH_EVENTS masks), the card clock (CLOCK_LO/HI
latch, its rate against clock-ppb), GREY 640x480 frames through ring +
descriptors (pixels, write-back with tags, done, card times, frame spacing,
CONS), INTx raise/lower, an MSI-X message (aimed at guest RAM so it is
visible), one interrupt per frame with CH_EVENTS off, SOF and PROGRESS
events (GREY, NV12, a step above the height) followed clock deadline by
clock deadline, genlock (two channels, identical card times on the
card-wide grid), the irqs/undef-writes/dma-faults counters, stray-dma (DMA
error), desc-lost (a descriptor skipped in a frame still reported good), an
input change (INPUT cause), link-down, and a clock-ppb out of range refused. Prints PASS/FAIL lines; exit status 0 when all pass. Takes
about a second.
"""
import atexit
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

if len(sys.argv) > 1:
    QEMU = sys.argv[1]
else:
    here = os.path.dirname(os.path.abspath(__file__))
    QEMU = subprocess.run([os.path.join(here, "build-qemu.sh")], check=True,
                          stdout=subprocess.PIPE, text=True).stdout.splitlines()[-1]
EXTRA = sys.argv[2:]          # e.g. -device intel-iommu,intremap=off

PPB0 = 100000                 # mc0's crystal error: 100 ppm, a clear signal
PPB1 = 25000                  # mc1: the default

tmp = tempfile.mkdtemp()
qt_path, qmp_path = tmp + "/qtest.sock", tmp + "/qmp.sock"
qt_srv = socket.socket(socket.AF_UNIX)
qt_srv.bind(qt_path)
qt_srv.listen(1)
base = [QEMU, "-machine", "q35", "-accel", "qtest", "-nodefaults", "-display", "none",
        "-m", "256"]
args = base + ["-qtest-log", "/dev/null", "-qtest", "unix:" + qt_path,
               "-qmp", "unix:%s,server=on,wait=off" % qmp_path] + EXTRA + [
    "-device", "multicap,id=mc0,bus=pcie.0,addr=4,channels=2,mode=640x480p60,"
               "clock-ppb=%d" % PPB0,
    "-device", "multicap,id=mc1,bus=pcie.0,addr=5,channels=2,mode=640x480p60,genlock=on",
    "-device", "multicap,id=mc2,bus=pcie.0,addr=6,channels=1,clock-ppb=-500000"]
print("+", " ".join(args))
proc = subprocess.Popen(args)


def cleanup():
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    shutil.rmtree(tmp, ignore_errors=True)


atexit.register(cleanup)
qt, _ = qt_srv.accept()
qtf = qt.makefile("rw")
for _ in range(50):
    if os.path.exists(qmp_path):
        break
    time.sleep(0.1)
qmp = socket.socket(socket.AF_UNIX)
qmp.connect(qmp_path)
qmpf = qmp.makefile("rw")
qmpf.readline()

events = []


def q(cmd):
    qtf.write(cmd + "\n")
    qtf.flush()
    while True:
        line = qtf.readline().strip()
        if line.startswith("IRQ"):
            events.append(line)
            continue
        assert line.startswith("OK"), (cmd, line)
        return line[3:]


def qmpc(cmd, **a):
    qmpf.write(json.dumps({"execute": cmd, "arguments": a}) + "\n")
    qmpf.flush()
    while True:
        r = json.loads(qmpf.readline())
        if "event" not in r:
            return r


def qom_get(dev, prop):
    return qmpc("qom-get", path="/machine/peripheral/" + dev, property=prop)["return"]


qmpc("qmp_capabilities")


def cfg_addr(slot, off):
    return 0x80000000 | (slot << 11) | (off & ~3)


def cfg_r(off, slot=4):
    q("outl 0xcf8 0x%x" % cfg_addr(slot, off))
    v = int(q("inl 0xcfc"), 16)
    return (v >> ((off & 3) * 8))


def cfg_w(off, v, slot=4):
    """Write a dword, or at offset 2 of one the 16-bit word (read-modify-write)."""
    if off & 3:
        old = cfg_r(off & ~3, slot)
        v = (old & 0xffff) | (v & 0xffff) << 16
    q("outl 0xcf8 0x%x" % cfg_addr(slot, off))
    q("outl 0xcfc 0x%x" % v)


rl = lambda a: int(q("readl 0x%x" % a), 16)
wl = lambda a, v: q("writel 0x%x 0x%x" % (a, v))
wq = lambda a, v: q("writeq 0x%x 0x%x" % (a, v))
step = lambda ns=None: int(q("clock_step" + ("" if ns is None else " %d" % ns)))
ok = True


def check(what, cond):
    global ok
    print(("PASS " if cond else "FAIL ") + what)
    ok &= bool(cond)


# ---- register offsets (include/multicap-regs.h) ----
VERSION, CAPS, IRQ_STATUS, IRQ_MASK, DATA_READY, RESET = 0x4, 0x8, 0x10, 0x14, 0x18, 0x1c
IRQ_ENABLE, CLOCK_LO, CLOCK_HI, SYNC = 0x24, 0x28, 0x2c, 0x30
CTRL, STATUS, FORMAT, RING_LO, RING_HI, RING_SIZE = 0x00, 0x04, 0x18, 0x24, 0x28, 0x2c
PROD, CONS, FRAME_COUNT, ABORT_COUNT, EVENTS = 0x30, 0x34, 0x38, 0x44, 0x50
DONE, ERR, STARTED = 1 << 31, 1 << 30, 1 << 29
D_SOF, D_EOF, D_IRQ = 1, 2, 4
GREY, NV12 = 4, 6
W, H = 640, 480
FRAME = W * H                 # GREY
T = 1000000000 // 60          # frame period of 640x480p60, host ns
ACTIVE = T * H // 525         # its active lines (vtotal 525)
ENTRY = struct.Struct("<QIIIIIIQQQ8x")   # struct multicap_ring_entry, 64 bytes
assert ENTRY.size == 64


def tagged(tag):
    return (tag & 0xffff) << 8


def card_ticks(d, ppb):
    """The card clock d host ns after its epoch (the model's formula)."""
    p = (d // 1000) * ppb
    return d + (p // 10**6 if p >= 0 else -(-p // 10**6))


def rate(d, ppb):
    return d * (1 + ppb / 1e9)


def entry(addr):
    v = ENTRY.unpack(bytes.fromhex(q("read 0x%x 64" % addr)[2:]))
    return dict(zip(("list", "count", "tag", "status", "frame", "done", "lines",
                     "sof", "eof", "line_time"), v))


def setup_entry(e, lst, tag, descs):
    """Ring entry at e for descriptor list lst: descs = [(buf, len, ctrl, offset)]."""
    wq(e, lst); wl(e + 8, len(descs)); wl(e + 12, tag)
    q("memset 0x%x 48 0" % (e + 16))
    for i, (buf, n, ctrl, off) in enumerate(descs):
        d = lst + 32 * i
        wq(d, buf); wl(d + 8, n); wl(d + 12, ctrl); wl(d + 16, off)
        q("memset 0x%x 16 0" % (d + 20))


def one_desc(buf, n=FRAME):
    return [(buf, n, D_SOF | D_EOF | D_IRQ, 0)]


def start_ring(ch, ring, size, fmt, prod):
    wl(ch + FORMAT, (16 << 16) | fmt)   # 16 lines per chunk
    wl(ch + RING_LO, ring); wl(ch + RING_HI, 0); wl(ch + RING_SIZE, size)
    wl(ch + PROD, prod)


def latch(bar):
    lo = rl(bar + CLOCK_LO)
    return rl(bar + CLOCK_HI) << 32 | lo


# ---- identity, registers ------------------------------------------------
ids = cfg_r(0)
check("vendor:device 10ee:7c10 (0x%08x)" % ids, ids == 0x7c1010ee)
check("class 0x0400, rev 1 (0x%08x)" % cfg_r(8), cfg_r(8) == 0x04000001)
caps, p = [], cfg_r(0x34) & 0xff
while p:
    caps.append((cfg_r(p) & 0xff, p))
    p = (cfg_r(p) >> 8) & 0xff
print("capabilities:", ["0x%02x@0x%02x" % c for c in caps])
capd = dict(caps)
check("PCIe, MSI and MSI-X capabilities", 0x10 in capd and 0x05 in capd and 0x11 in capd)
check("INTx pin A", (cfg_r(0x3c) >> 8) & 0xff == 1)

BAR0, BAR2 = 0xfe000000, 0xfe001000          # mc0
M1 = 0xfe010000                              # mc1's BAR0
cfg_w(0x10, BAR0)
cfg_w(0x18, BAR2)
cfg_w(0x04, 0x0006)          # memory + bus master
cfg_w(0x10, M1, slot=5)
cfg_w(0x04, 0x0006, slot=5)
check("ID register", rl(BAR0) == 0x5041434d)
check("VERSION 2.0 (0x%08x)" % rl(BAR0 + VERSION), rl(BAR0 + VERSION) == 0x00020000)
check("CAPS with CLOCK and EVENTS (0x%08x)" % rl(BAR0 + CAPS), rl(BAR0 + CAPS) == 0x7f)
check("NUM_CHANNELS 2", rl(BAR0 + 0xc) == 2)
check("SYNC: mc0 0, mc1 (genlock=on) GENLOCK (0x%x, 0x%x)" % (rl(BAR0 + SYNC), rl(M1 + SYNC)),
      rl(BAR0 + SYNC) == 0 and rl(M1 + SYNC) == 1)
check("clock-ppb=-500000 accepted (%d)" % qom_get("mc2", "clock-ppb"),
      qom_get("mc2", "clock-ppb") == -500000)
undef0 = qom_get("mc0", "undef-writes")
wl(BAR0 + 0x0, 0x1234)       # ID is read-only
undef1 = qom_get("mc0", "undef-writes")
check("write to RO register counted (%d -> %d)" % (undef0, undef1), undef1 == undef0 + 1)
wl(BAR0 + IRQ_MASK, 0xffffffff)
check("IRQ_MASK keeps both cause halves of 2 channels (0x%08x)" % rl(BAR0 + IRQ_MASK),
      rl(BAR0 + IRQ_MASK) == 0x00030003)
wl(BAR0 + IRQ_MASK, 0)
CH0, CH1 = BAR0 + 0x100, BAR0 + 0x180
wl(CH1 + EVENTS, 0xffffffff)
check("CH_EVENTS reads back bits 31:16 and 0 (0x%08x)" % rl(CH1 + EVENTS),
      rl(CH1 + EVENTS) == 0xffff0001)
wl(CH1 + CTRL, 2)            # channel reset
check("channel reset clears CH_EVENTS (0x%08x)" % rl(CH1 + EVENTS), rl(CH1 + EVENTS) == 0)

# ---- card clock -----------------------------------------------------------
# The virtual clock only moves with clock_step, so the reads below see the
# card clock at exactly known host instants. Each sample's correction is
# truncated to a whole tick (and computed from whole microseconds, < 0.1
# tick more at 100 ppm): a difference is within 2 ticks of d * (1 + ppb).
c0 = latch(BAR0)
step(5000000000)             # 5 s
check("CLOCK_HI 0 before any latch (mc1, 5 s on: 0x%x)" % rl(M1 + CLOCK_HI), rl(M1 + CLOCK_HI) == 0)
c1 = latch(BAR0)
want = rate(5000000000, PPB0)
check("card clock runs 1 + %d ppb: %d ticks in 5 s (want %.1f +- 2)" % (PPB0, c1 - c0, want),
      abs(c1 - c0 - want) <= 2)
check("card clock past 2^32: CLOCK_HI %d" % (c1 >> 32), c1 >> 32 == 1)
m0, m1 = latch(M1), latch(M1)
step(5000000000)
m2 = latch(M1)
check("mc1 (%d ppb) too: %d ticks in 5 s, same-instant reads equal" % (PPB1, m2 - m1),
      m0 == m1 and abs(m2 - m1 - rate(5000000000, PPB1)) <= 2)
hi = rl(BAR0 + CLOCK_HI)        # 5 s after the latch of c1
c2 = latch(BAR0)
check("CLOCK_HI holds the latch until CLOCK_LO is read (%d, then %d)" % (hi, c2 >> 32),
      hi == c1 >> 32 == 1 and c2 >> 32 == 2)

# ---- one frame: pixels, write-back, tags, card times -------------------------
RING, LIST, BUF = 0x100000, 0x110000, 0x200000
MSG = 0x090000                # below 640 KiB: plain RAM
TAG0 = 0xa500
q("irq_intercept_in ioapic")
for i in range(4):
    setup_entry(RING + 64 * i, LIST + 0x100 * i, 0x10000 | (TAG0 + i), one_desc(BUF + i * 0x80000))
start_ring(CH0, RING, 4, GREY, 1)        # PROD: one frame
wl(BAR0 + IRQ_MASK, 1); wl(BAR0 + IRQ_ENABLE, 1)   # IRQ_MASK FRAME(0), IRQ_ENABLE
c_en = latch(BAR0)
wl(CH0 + CTRL, 1)                        # ENABLE
step(30000000)                           # 30 ms
e = entry(RING)
check("frame 0 done, no error, tag echoed from bits 15:0 (entry status 0x%08x)" % e["status"],
      e["status"] == DONE | tagged(TAG0))
check("descriptor status DONE + tag (0x%08x)" % rl(LIST + 20), rl(LIST + 20) == DONE | tagged(TAG0))
check("entry done == count == 1 (%d), frame 0" % e["done"], e["done"] == e["count"] == 1 and e["frame"] == 0)
check("first SOF 1 us after enable: sof_time - clock at enable = %d ticks" % (e["sof"] - c_en),
      abs(e["sof"] - c_en - rate(1000, PPB0)) <= 2)
check("eof_time - sof_time = active time %d (want %.1f +- 2)" % (e["eof"] - e["sof"], rate(ACTIVE, PPB0)),
      abs(e["eof"] - e["sof"] - rate(ACTIVE, PPB0)) <= 2)
check("CONS = 1", rl(CH0 + CONS) == 1)
check("IRQ_STATUS FRAME(0) (0x%08x)" % rl(BAR0 + IRQ_STATUS), rl(BAR0 + IRQ_STATUS) == 1)
data = bytes.fromhex(q("read 0x%x 64" % (BUF + 320 * 640))[2:])
check("pixels written (%s...)" % data[:8].hex(), any(data))
check("INTx raised: %s" % events, any(e.startswith("IRQ raise") for e in events))
events.clear()
wl(BAR0 + IRQ_STATUS, 1)                 # ack
check("INTx lowered after W1C: %s" % events, any(e.startswith("IRQ lower") for e in events))

# MSI-X: vector 0 aimed at guest RAM so the message is visible there
wl(MSG, 0)
wl(BAR2 + 0, MSG); wl(BAR2 + 4, 0); wl(BAR2 + 8, 0xcafe); wl(BAR2 + 12, 0)
mx = capd[0x11]
cfg_w(mx + 2, (cfg_r(mx + 2) & 0xffff) | 0x8000)
irqs0 = qom_get("mc0", "irqs")
wl(CH0 + PROD, 2)
step(30000000)
e1 = entry(RING + 64)
check("frame 1 done (0x%08x)" % e1["status"], e1["status"] == DONE | tagged(TAG0 + 1))
n = e1["frame"] - e["frame"]
check("sof_time spacing %d frames apart = %d periods (%d ticks)" % (n, n, e1["sof"] - e["sof"]),
      n > 0 and abs(e1["sof"] - e["sof"] - rate(n * T, PPB0)) <= 2)
check("MSI-X message written (0x%x)" % rl(MSG), rl(MSG) == 0xcafe)
irqs1 = qom_get("mc0", "irqs")
check("irqs counter %d -> %d" % (irqs0, irqs1), irqs1 > irqs0)
wl(BAR0 + IRQ_STATUS, 1)

# stray DMA: the next chunk goes to 0x7fffff0000, unassigned (or an IOMMU fault)
r = qmpc("qom-set", path="/machine/peripheral/mc0", property="inject", value="0:stray-dma")
check("inject 0:stray-dma accepted", "return" in r)
wl(CH0 + PROD, 3)
step(30000000)
e2 = entry(RING + 128)
faults = qom_get("mc0", "dma-faults")
check("stray DMA: frame 2 aborted with DMA error and tag (0x%08x), done 0, dma-faults %d"
      % (e2["status"], faults),
      e2["status"] == DONE | ERR | tagged(TAG0 + 2) | 1 and e2["done"] == 0 and faults >= 1)
check("STATUS ERR_DESC", rl(CH0 + STATUS) & (1 << 8))
wl(BAR0 + IRQ_STATUS, 0xffffffff); wl(BAR0 + DATA_READY, 0xffffffff)

# ---- channel 1: several frames, several descriptors, CH_EVENTS off ------------
RING1, LIST1, BUF1 = 0x120000, 0x130000, 0x1000000
TAG1 = 0x1100
THIRD = FRAME // 3                       # 160 lines, 10 chunks


def three_descs(buf):
    return [(buf, THIRD, D_SOF, 0), (buf + THIRD, THIRD, 160 << 16, THIRD),
            (buf + 2 * THIRD, THIRD, D_EOF | D_IRQ | 320 << 16, 2 * THIRD)]


for i in range(4):
    setup_entry(RING1 + 64 * i, LIST1 + 0x100 * i, TAG1 + i, three_descs(BUF1 + i * 0x80000))
start_ring(CH1, RING1, 4, GREY, 4)
wl(BAR0 + IRQ_MASK, 0x00030003)
irqs0 = qom_get("mc0", "irqs")
wl(CH1 + CTRL, 1)
step(4 * T + T // 2)
irqs1 = qom_get("mc0", "irqs")
es = [entry(RING1 + 64 * i) for i in range(4)]
check("4 frames, CH_EVENTS 0: one interrupt a frame (irqs %d -> %d), FRAME(1) only (0x%08x)"
      % (irqs0, irqs1, rl(BAR0 + IRQ_STATUS)),
      irqs1 - irqs0 == 4 and rl(BAR0 + IRQ_STATUS) == 2 and rl(BAR0 + DATA_READY) == 2)
check("entries DONE with their tags, done == count == 3, frames 0..3: %s"
      % [(hex(x["status"]), x["done"], x["frame"]) for x in es],
      all(x["status"] == DONE | tagged(TAG1 + i) and x["done"] == x["count"] == 3
          and x["frame"] == i for i, x in enumerate(es)))
dst = [(rl(LIST1 + 0x100 * i + 32 * j + 20), rl(LIST1 + 0x100 * i + 32 * j + 24))
       for i in range(4) for j in range(3)]
check("descriptors DONE with the entry's tag and frame",
      dst == [(DONE | tagged(TAG1 + i), i) for i in range(4) for _ in range(3)])
sp = [es[i + 1]["sof"] - es[i]["sof"] for i in range(3)] + \
     [es[i + 1]["eof"] - es[i]["eof"] for i in range(3)]
check("sof/eof spacing = frame period in card ticks %s (want %.1f +- 2)" % (sp, rate(T, PPB0)),
      all(abs(s - rate(T, PPB0)) <= 2 for s in sp))
check("eof_time - sof_time = active time %s" % [x["eof"] - x["sof"] for x in es],
      all(abs(x["eof"] - x["sof"] - rate(ACTIVE, PPB0)) <= 2 for x in es))
wl(BAR0 + IRQ_STATUS, 0xffffffff); wl(BAR0 + DATA_READY, 0xffffffff)

# desc-error fails the next descriptor completed in the frame's second half:
# the second one, at line 320; the frame ends there
r = qmpc("qom-set", path="/machine/peripheral/mc0", property="inject", value="1:desc-error")
setup_entry(RING1, LIST1, TAG1 + 8, three_descs(BUF1))
wl(CH1 + PROD, 5)
step(T + T // 2)
x = entry(RING1)
check("desc-error: ERR + tag, done 1 of 3, eof_time at line 320 (%d ticks after sof)"
      % (x["eof"] - x["sof"]),
      "return" in r and x["status"] == DONE | ERR | tagged(TAG1 + 8) | 1 and x["done"] == 1 and
      abs(x["eof"] - x["sof"] - rate(ACTIVE * 320 // H, PPB0)) <= 2 and
      rl(LIST1 + 32 + 20) == DONE | ERR | tagged(TAG1 + 8) | 1)
wl(CH1 + STATUS, 0xff00)
wl(BAR0 + IRQ_STATUS, 0xffffffff); wl(BAR0 + DATA_READY, 0xffffffff)


def follow(ch, e_addr, cons_end, bar=BAR0, bit=2):
    """Step clock deadline by deadline until CONS reaches cons_end; record
    what the entry shows after each step."""
    seen, irq_bits = [], 0
    for _ in range(400):
        t = step()
        x = entry(e_addr)
        st = rl(bar + IRQ_STATUS)
        irq_bits |= st
        if st:
            wl(bar + IRQ_STATUS, st)
        seen.append((t, x, st & bit))
        if rl(ch + CONS) == cons_end:
            break
    return seen


def progress(seen):
    """(lines, line_time) each time lines changed, and whether a FRAME cause came with it."""
    out, last = [], 0
    for _, x, cause in seen:
        if x["lines"] != last:
            out.append((x["lines"], x["line_time"], bool(cause)))
            last = x["lines"]
    return out


# ---- SOF + PROGRESS 100 on GREY -----------------------------------------------
# 16-line chunks: the first chunk boundaries at or after 100, 200, ... and 480
wl(CH1 + EVENTS, 1 | 100 << 16)
setup_entry(RING1 + 64, LIST1 + 0x100, TAG1 + 0x10, three_descs(BUF1 + 0x80000))
irqs0 = qom_get("mc0", "irqs")
wl(CH1 + PROD, 6)
seen = follow(CH1, RING1 + 64, 6)
irqs1 = qom_get("mc0", "irqs")
started = [(t, x) for t, x, c in seen if x["status"] == STARTED | tagged(TAG1 + 0x10) and c]
fin = seen[-1][1]
check("SOF: entry STARTED + tag with frame and sof_time, FRAME(1) raised (%d steps)" % len(started),
      started and started[0][1]["frame"] == fin["frame"] and started[0][1]["sof"] == fin["sof"] > 0)
pr = progress(seen)
check("PROGRESS 100: lines %s, each with FRAME(1)" % [p[0] for p in pr],
      [p[0] for p in pr] == [112, 208, 304, 400, 480] and all(p[2] for p in pr))
check("line_time = sof_time + active * lines / 480 %s" % [p[1] - fin["sof"] for p in pr],
      all(abs(p[1] - fin["sof"] - rate(ACTIVE * p[0] // H, PPB0)) <= 2 for p in pr))
check("end: DONE + tag, done 3, lines 480, line_time == eof_time (0x%08x)" % fin["status"],
      fin["status"] == DONE | tagged(TAG1 + 0x10) and fin["done"] == 3 and
      fin["lines"] == 480 and fin["line_time"] == fin["eof"])
# SOF, 4 progress steps, then the last one and the end of frame together
check("interrupts: SOF + 5 progress + EOF, the last two at once = 6 (%d)" % (irqs1 - irqs0),
      irqs1 - irqs0 == 6)

# ---- PROGRESS above the height: one report, at the height ---------------------
wl(CH1 + EVENTS, 4000 << 16)
setup_entry(RING1 + 128, LIST1 + 0x200, TAG1 + 0x11, three_descs(BUF1 + 0x100000))
wl(CH1 + PROD, 7)
seen = follow(CH1, RING1 + 128, 7)
pr = progress(seen)
check("PROGRESS 4000 > height: only lines 480 (%s), STARTED published for it" % [p[0] for p in pr],
      [p[0] for p in pr] == [480] and
      any(x["status"] & STARTED for _, x, _ in seen))

# ---- NV12: progress counts luma lines only ---------------------------------------
wl(CH1 + CTRL, 2)                        # reset: stop, PROD = CONS = 0, EVENTS = 0
NV = W * (H + H // 2)
setup_entry(RING1, LIST1, TAG1 + 0x20, one_desc(BUF1, NV))
start_ring(CH1, RING1, 4, NV12, 1)
wl(CH1 + EVENTS, 100 << 16)
wl(CH1 + CTRL, 1)
seen = follow(CH1, RING1, 1)
pr = progress(seen)
fin = seen[-1][1]
check("NV12 PROGRESS 100: luma lines %s, last at 480 of 720 stream lines" % [p[0] for p in pr],
      [p[0] for p in pr] == [112, 208, 304, 400, 480] and
      abs(pr[-1][1] - fin["sof"] - rate(ACTIVE * 480 // 720, PPB0)) <= 2 and
      pr[-1][1] < fin["eof"] and fin["status"] == DONE | tagged(TAG1 + 0x20) and fin["done"] == 1)
wl(CH1 + CTRL, 2)
wl(BAR0 + IRQ_STATUS, 0xffffffff); wl(BAR0 + DATA_READY, 0xffffffff)

# ---- desc-lost: a descriptor skipped, the frame still reported good -----------
# Injected twice: each of the next two frames loses the first descriptor due
# in its second half (the second of three, at line 320): no bytes, no status
# write-back, not counted in done; the entry still ends DONE without ERR.
# The third frame is whole. This is what the driver's bad_assembly check
# must catch: the summary alone says the frame is good.
r = [qmpc("qom-set", path="/machine/peripheral/mc0", property="inject", value="1:desc-lost")
     for _ in range(2)]
for i in range(3):
    setup_entry(RING1 + 64 * i, LIST1 + 0x100 * i, TAG1 + 0x30 + i,
                three_descs(BUF1 + i * 0x80000))
q("memset 0x%x %d 0x5a" % (BUF1 + THIRD, THIRD))   # frame 0's second descriptor
q("memset 0x%x %d 0" % (BUF1 + 2 * THIRD, THIRD))  # and its third
start_ring(CH1, RING1, 4, GREY, 3)
irqs0 = qom_get("mc0", "irqs")
wl(CH1 + CTRL, 1)
step(3 * T + T // 2)
irqs1 = qom_get("mc0", "irqs")
es = [entry(RING1 + 64 * i) for i in range(3)]
dst = [[rl(LIST1 + 0x100 * i + 32 * j + 20) for j in range(3)] for i in range(3)]
check("desc-lost accepted twice", all("return" in x for x in r))
check("desc-lost: frames 0, 1 DONE without ERR, done 2 of 3, their second descriptor "
      "never written back: %s %s" % ([(hex(x["status"]), x["done"]) for x in es[:2]],
                                     [[hex(v) for v in d] for d in dst[:2]]),
      all(es[i]["status"] == DONE | tagged(TAG1 + 0x30 + i) and es[i]["done"] == 2 and
          es[i]["count"] == 3 and dst[i] == [DONE | tagged(TAG1 + 0x30 + i), 0,
                                              DONE | tagged(TAG1 + 0x30 + i)]
          for i in range(2)))
check("desc-lost: one frame an injection, frame 2 whole (0x%08x, done %d)"
      % (es[2]["status"], es[2]["done"]),
      es[2]["status"] == DONE | tagged(TAG1 + 0x32) and es[2]["done"] == 3 and
      dst[2] == [DONE | tagged(TAG1 + 0x32)] * 3)
lost = bytes.fromhex(q("read 0x%x 64" % (BUF1 + THIRD + 1000))[2:])
kept = bytes.fromhex(q("read 0x%x 64" % (BUF1 + 2 * THIRD + 1000))[2:])
check("desc-lost: the lost descriptor's bytes untouched (%s...), the next one's written"
      % lost[:4].hex(), lost == b"\x5a" * 64 and any(kept))
check("desc-lost: nothing flags it: ABORT_COUNT %d, STATUS errors 0x%x, one interrupt a "
      "frame (%d)" % (rl(CH1 + ABORT_COUNT), rl(CH1 + STATUS) & 0x300, irqs1 - irqs0),
      rl(CH1 + ABORT_COUNT) == 0 and rl(CH1 + STATUS) & 0x300 == 0 and irqs1 - irqs0 == 3)
wl(CH1 + CTRL, 2)
wl(BAR0 + IRQ_STATUS, 0xffffffff); wl(BAR0 + DATA_READY, 0xffffffff)

# ---- genlock (mc1): two channels enabled 5 ms apart share the frame grid ------
G0, G1 = M1 + 0x100, M1 + 0x180
RG, LG, BG = 0x140000, 0x160000, 0x2000000
for c in range(2):
    for i in range(4):
        setup_entry(RG + 0x1000 * c + 64 * i, LG + 0x1000 * c + 0x100 * i, 0x200 + 16 * c + i,
                    one_desc(BG + 0x200000 * c + 0x80000 * i))
start_ring(G0, RG, 4, GREY, 4)
start_ring(G1, RG + 0x1000, 4, GREY, 2)
wl(G0 + CTRL, 1)
for _ in range(20):                      # until ch0's first frame has started
    step(1000000)
    if rl(G0 + FRAME_COUNT):
        break
step(5000000)                            # then 5 ms into it, off the grid
wl(G1 + CTRL, 1)
step(5 * T)
g0 = [entry(RG + 64 * i) for i in range(4)]
g1 = [entry(RG + 0x1000 + 64 * i) for i in range(2)]
sofs = [x["sof"] for x in g0]
j = sofs.index(g1[0]["sof"]) if g1[0]["sof"] in sofs else -1
check("genlock: ch1, enabled mid-frame, has the card times of ch0's frames 1, 2 (%d) (sof %s / %s)"
      % (j, [x["sof"] for x in g1], sofs),
      all(a["status"] == DONE | tagged(a["tag"]) for a in g0 + g1) and j == 1 and
      [(x["sof"], x["eof"]) for x in g1] == [(x["sof"], x["eof"]) for x in g0[j:j + 2]])
k = round(g0[0]["sof"] / rate(T, PPB1))
check("genlock: sof_time on the card grid: card(k * period), k = %d" % k,
      all(x["sof"] == card_ticks((k + i) * T, PPB1) for i, x in enumerate(g0)))
wl(M1 + EVENTS + 0x100, 1)
wl(M1 + RESET, 1)                        # global reset
check("global reset stops mc1 and clears CH_EVENTS (0x%x)" % rl(G0 + EVENTS),
      rl(G0 + EVENTS) == 0 and rl(G0 + CTRL) == 0)

# ---- input change: INPUT(1) cause -------------------------------------------
r = qmpc("qom-set", path="/machine/peripheral/mc0", property="input", value="1:1280x720p60")
check("input 1:1280x720p60 -> IN_SIZE 0x%08x" % rl(CH1 + 8),
      "return" in r and rl(CH1 + 8) == (720 << 16 | 1280))
check("input change: IRQ_STATUS and DATA_READY INPUT(1) (0x%08x, 0x%08x)"
      % (rl(BAR0 + IRQ_STATUS), rl(BAR0 + DATA_READY)),
      rl(BAR0 + IRQ_STATUS) == 1 << 17 and rl(BAR0 + DATA_READY) == 1 << 17)
r = qmpc("qom-set", path="/machine/peripheral/mc0", property="inject", value="9:stall")
check("bad channel refused: %s" % r.get("error", {}).get("desc"), "error" in r)

r = qmpc("qom-set", path="/machine/peripheral/mc0", property="inject", value="0:link-down")
check("link-down: ID reads all-ones (0x%08x)" % rl(BAR0), rl(BAR0) == 0xffffffff)

qmpc("quit")
proc.wait(timeout=10)

# ---- a crystal error out of range is refused at realize -----------------------
r = subprocess.run(base + ["-device", "multicap,clock-ppb=500001"], stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT, text=True, timeout=30)
check("clock-ppb=500001 refused: %s" % r.stdout.strip(),
      r.returncode != 0 and "clock-ppb=500001 is out of range" in r.stdout)

print("RESULT:", "ALL PASSED" if ok else "FAILURES")
sys.exit(0 if ok else 1)

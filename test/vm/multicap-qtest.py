#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""multicap-qtest.py - exercise the QEMU "multicap" device without a guest

Usage: test/vm/multicap-qtest.py [QEMU [EXTRA-QEMU-ARGS ...]]
       test/vm/multicap-qtest.py "$QEMU" -device intel-iommu,intremap=off

Starts QEMU (default: the binary test/vm/build-qemu.sh prints) with the qtest
accelerator, no firmware and no guest, and drives the card through qtest
(PCI config cycles on 0xcf8/0xcfc, MMIO, guest RAM, the virtual clock) and
QMP (qom-get/qom-set): PCI identity and capabilities, registers, one GREY
640x480 frame through ring + descriptor (pixels, write-back, CONS), INTx
raise/lower, an MSI-X message (aimed at guest RAM so it is visible), the
irqs/undef-writes/dma-faults counters, stray-dma (DMA error), input and
link-down. Prints PASS/FAIL lines; exit status 0 when all pass. Takes about
a second.
"""
import atexit
import json
import os
import shutil
import socket
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

tmp = tempfile.mkdtemp()
qt_path, qmp_path = tmp + "/qtest.sock", tmp + "/qmp.sock"
qt_srv = socket.socket(socket.AF_UNIX)
qt_srv.bind(qt_path)
qt_srv.listen(1)
args = [QEMU, "-machine", "q35", "-accel", "qtest", "-nodefaults", "-display", "none",
        "-m", "256", "-qtest-log", "/dev/null", "-qtest", "unix:" + qt_path,
        "-qmp", "unix:%s,server=on,wait=off" % qmp_path] + EXTRA + [
        "-device", "multicap,id=mc0,bus=pcie.0,addr=4,channels=2,mode=640x480p60"]
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


qmpc("qmp_capabilities")
CFG = 0x80000000 | (4 << 11)


def cfg_r(off):
    q("outl 0xcf8 0x%x" % (CFG | (off & ~3)))
    v = int(q("inl 0xcfc"), 16)
    return (v >> ((off & 3) * 8))


def cfg_w(off, v):
    q("outl 0xcf8 0x%x" % (CFG | off))
    q("outl 0xcfc 0x%x" % v)


rl = lambda a: int(q("readl 0x%x" % a), 16)
wl = lambda a, v: q("writel 0x%x 0x%x" % (a, v))
wq = lambda a, v: q("writeq 0x%x 0x%x" % (a, v))
ok = True


def check(what, cond):
    global ok
    print(("PASS " if cond else "FAIL ") + what)
    ok &= bool(cond)


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

BAR0, BAR2 = 0xfe000000, 0xfe001000
cfg_w(0x10, BAR0)
cfg_w(0x18, BAR2)
cfg_w(0x04, 0x0006)          # memory + bus master
check("ID register", rl(BAR0) == 0x5041434d)
check("NUM_CHANNELS 2", rl(BAR0 + 0xc) == 2)
undef0 = qmpc("qom-get", path="/machine/peripheral/mc0", property="undef-writes")["return"]
wl(BAR0 + 0x0, 0x1234)       # ID is read-only
undef1 = qmpc("qom-get", path="/machine/peripheral/mc0", property="undef-writes")["return"]
check("write to RO register counted (%d -> %d)" % (undef0, undef1), undef1 == undef0 + 1)

CH0 = BAR0 + 0x100
RING, LIST, BUF = 0x100000, 0x110000, 0x200000
FRAME = 640 * 480            # GREY


def setup_entry(i, buf):
    e, d = RING + 32 * i, LIST + 0x100 * i
    wq(e, d); wl(e + 8, 1); wl(e + 12, 0); wl(e + 16, 0)
    wq(d, buf); wl(d + 8, FRAME); wl(d + 12, 0x7); wl(d + 16, 0); wl(d + 20, 0); wl(d + 24, 0)


q("irq_intercept_in ioapic")
for i in range(4):
    setup_entry(i, BUF + i * 0x80000)
wl(CH0 + 0x18, (16 << 16) | 4)   # FORMAT: 16 lines per chunk, GREY
wl(CH0 + 0x24, RING); wl(CH0 + 0x28, 0); wl(CH0 + 0x2c, 4)
wl(CH0 + 0x30, 1)                # PROD: one frame
wl(BAR0 + 0x14, 1); wl(BAR0 + 0x24, 1)   # IRQ_MASK ch0, IRQ_ENABLE
wl(CH0 + 0x00, 1)                # ENABLE
q("clock_step 30000000")         # 30 ms
st = rl(RING + 12)
check("frame 0 done, no error (entry status 0x%08x)" % st, st == 0x80000000)
check("descriptor status DONE (0x%08x)" % rl(LIST + 20), rl(LIST + 20) == 0x80000000)
check("CONS = 1", rl(CH0 + 0x34) == 1)
check("IRQ_STATUS ch0", rl(BAR0 + 0x10) & 1)
data = bytes.fromhex(q("read 0x%x 64" % (BUF + 320 * 640))[2:])
check("pixels written (%s...)" % data[:8].hex(), any(data))
check("INTx raised: %s" % events, any(e.startswith("IRQ raise") for e in events))
events.clear()
wl(BAR0 + 0x10, 1)               # ack
check("INTx lowered after W1C: %s" % events, any(e.startswith("IRQ lower") for e in events))

# MSI-X: vector 0 aimed at guest RAM so the message is visible there
MSG = 0x300000
wl(MSG, 0)
wl(BAR2 + 0, MSG); wl(BAR2 + 4, 0); wl(BAR2 + 8, 0xcafe); wl(BAR2 + 12, 0)
mx = capd[0x11]
cfg_w(mx + 2, (cfg_r(mx + 2) & 0xffff) | 0x8000)
irqs0 = qmpc("qom-get", path="/machine/peripheral/mc0", property="irqs")["return"]
wl(CH0 + 0x30, 2)
q("clock_step 30000000")
check("frame 1 done (0x%08x)" % rl(RING + 32 + 12), rl(RING + 32 + 12) == 0x80000000)
check("MSI-X message written (0x%x)" % rl(MSG), rl(MSG) == 0xcafe)
irqs1 = qmpc("qom-get", path="/machine/peripheral/mc0", property="irqs")["return"]
check("irqs counter %d -> %d" % (irqs0, irqs1), irqs1 > irqs0)
wl(BAR0 + 0x10, 1)

# stray DMA: the next chunk goes to 0x7fffff0000, unassigned (or an IOMMU fault)
r = qmpc("qom-set", path="/machine/peripheral/mc0", property="inject", value="0:stray-dma")
check("inject 0:stray-dma accepted", "return" in r)
wl(CH0 + 0x30, 3)
q("clock_step 30000000")
st = rl(RING + 64 + 12)
faults = qmpc("qom-get", path="/machine/peripheral/mc0", property="dma-faults")["return"]
check("stray DMA: frame 2 aborted with DMA error (0x%08x), dma-faults %d" % (st, faults),
      st == 0xc0000001 and faults >= 1)
check("STATUS ERR_DESC", rl(CH0 + 0x04) & (1 << 8))

r = qmpc("qom-set", path="/machine/peripheral/mc0", property="input", value="1:1280x720p60")
check("input 1:1280x720p60 -> IN_SIZE 0x%08x" % rl(BAR0 + 0x180 + 8),
      "return" in r and rl(BAR0 + 0x180 + 8) == (720 << 16 | 1280))
r = qmpc("qom-set", path="/machine/peripheral/mc0", property="inject", value="9:stall")
check("bad channel refused: %s" % r.get("error", {}).get("desc"), "error" in r)

r = qmpc("qom-set", path="/machine/peripheral/mc0", property="inject", value="0:link-down")
check("link-down: ID reads all-ones (0x%08x)" % rl(BAR0), rl(BAR0) == 0xffffffff)

qmpc("quit")
proc.wait(timeout=10)
print("RESULT:", "ALL PASSED" if ok else "FAILURES")
sys.exit(0 if ok else 1)

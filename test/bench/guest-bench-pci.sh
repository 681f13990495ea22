#!/bin/sh
# guest-bench-pci.sh - the benchmarks over the PCIe card (QEMU device), in
#                      the test VM that run-bench.sh boots with --bus pci
#
# The card's DMA (the fill of every line) runs in QEMU's main-loop thread
# here, not on the guest's CPUs, so guest CPU is the driver's and the
# client's alone. The host bills QEMU's threads to each run (qemu-cpu.py,
# through RES/qemu-mark). Scenarios, group names prefixed "pci-":
#   pci-memcpy    memcpy reference of this boot
#   pci-search    1920x1080p60 YUYV, 1..16 channels, until a short run drops
#   pci-sustained the largest 0-drop loads, LONG seconds each, until 0 drops
#   pci-scaling   640x480p30 on 1, 4, 8 and 16 channels: CPU per frame
#   pci-cost      640x480p60, lines per chunk 1 and 64, 1 and 16 channels:
#                 kernel CPU per frame (the card's work is in QEMU)
#   pci-timing    cyclictest, then timestamp spacing, end of frame to DQBUF
#                 and the first 64 lines to the application, 1 x TMODE
# Environment and outputs as guest-bench.sh (the card: 16 channels).
# word splitting of $(mcap_nodes) and of the numeric loop variables is wanted
# shellcheck disable=SC2046,SC2086,SC1091
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
. "$MCAP_ROOT/test/bench/bench-lib.sh"

# load MODE [DRIVER-PARAMS]: every channel's input set to MODE, driver
# (re)loaded with DRIVER-PARAMS
load() {
	_m=$1
	shift
	mcap_unload
	mcap_pci_params mode=$_m
	mcap_load_driver "$@"
	udevadm settle --timeout=30 2>/dev/null || true
}

# 16 buffers a channel (bench-lib.sh: 8): at 16 x 60 frames/s the one
# capture thread must ride out TCG's stalls for 16 channels at once
BUFS=16

# nodes N: the first N channels
nodes() {
	mcap_nodes | head -n $1
}

dmesg -n 1
say "pci: guest $(uname -r), $(nproc) CPUs, $(mcap_qmp get mc0 channels) channels on mc0"
say "pci: memcpy reference"
memcpy_ref pci-memcpy

say "pci: throughput search"
: >"$RES/pci-good.txt"
load $TMODE
for bn in 1 2 4 6 8 10 12 14 16; do
	cap pci-search $bn-$TMODE "channels=$bn mode=$TMODE bus=pci" -d $SHORT -W $WARM -b $BUFS $(nodes $bn)
	[ "$(drops_of pci-search--$bn-$TMODE)" = 0 ] || break
	echo "$(mbs_of pci-search--$bn-$TMODE) $bn" >>"$RES/pci-good.txt"
done
sort -rn "$RES/pci-good.txt" | head -n 2 >"$RES/pci-try.txt"
while read -r _ bn <&3; do
	cap pci-sustained $bn-$TMODE "channels=$bn mode=$TMODE bus=pci" -d $LONG -W $WARM -b $BUFS $(nodes $bn)
	[ "$(drops_of pci-sustained--$bn-$TMODE)" = 0 ] && break
done 3<"$RES/pci-try.txt"

say "pci: scaling"
load 640x480p30
for bn in 1 4 8 16; do
	cap pci-scaling c1-ch$bn "cards=1 channels=$bn mode=640x480p30 bus=pci" -d $MID -W $WARM -b $BUFS $(nodes $bn)
done

say "pci: per-frame cost"
for lpc in 1 64; do
	load 640x480p60 lines_per_chunk=$lpc
	for bn in 1 16; do
		cap pci-cost lpc$lpc-ch$bn "lpc=$lpc channels=$bn mode=640x480p60 bus=pci" \
			-d $MID -W $WARM -b $BUFS $(nodes $bn)
	done
done

load $TMODE
timing_bench pci-timing "$(nodes 1)"
mcap_unload

say "pci: done (rc $rc)"
echo $rc >"$RES/bench-pci.rc"

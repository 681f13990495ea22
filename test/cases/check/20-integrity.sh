#!/bin/sh
# 20-integrity.sh - Tagged Lines frame integrity on all channels at once
#
# mcap-integrity streams every channel simultaneously and checks every
# byte of every line of every frame (header, payload, untouched padding),
# sequence == tagged frame number, strictly increasing timestamps: over
# MMAP, USERPTR and DMABUF, every format, and several bytesperline paddings.
# timeout: 1500
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

mcap_load channels=4 mode=320x240p30 ${MCAP_SIM_EXTRA:-}
# vivid exports the DMABUFs the multicap nodes import (no dma-heap in
# Debian's kernel, and every multicap node is busy streaming).
modprobe vivid n_devs=1 node_types=1 || fail "modprobe vivid"
udevadm settle --timeout=30 || true
rc=0
for io in mmap userptr dmabuf; do
	for pad in 0 36; do
		echo "== $io pad=$pad all formats"
		"$MCAP_TOOLS/mcap-integrity" -i $io -f all -p $pad -n 8 || rc=1
	done
done
echo "== mmap YUYV pad=4096, 60 frames"
"$MCAP_TOOLS/mcap-integrity" -i mmap -f YUYV -p 4096 -n 60 || rc=1
for v in $(mcap_nodes); do
	echo "$v: bad_assembly=$(mcap_stat "$v" bad_assembly) chunk_errors=$(mcap_stat "$v" drops_chunk_error)"
done
mcap_unload
modprobe -r vivid
[ $rc -eq 0 ] || fail "integrity errors"
echo "integrity OK"

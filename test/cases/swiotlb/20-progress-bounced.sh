#!/bin/sh
# 20-progress-bounced.sh - landed lines are readable before DQBUF with every
# DMA bounced (swiotlb=force)
#
# With bounce buffers the card's lines reach the application's pages only
# through a DMA sync. When a progress event arrives, mcap-timing reads the
# Tagged Lines tags of every newly landed line of that buffer, before
# VIDIOC_DQBUF: they must already carry this frame's number. Without the
# driver's sync of the landed range they would hold the previous frame.
# 320x240: larger vb2-dma-sg MMAP buffers get segments (512 KB at
# 640x480) beyond the 256 KB swiotlb can bounce in one piece.
# timeout: 600
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

grep -qw swiotlb=force /proc/cmdline || fail "not booted with swiotlb=force"
mcap_load channels=1 mode=320x240p30
v=$(mcap_nodes | head -n 1)
"$MCAP_TOOLS/mcap-timing" --period-ns "$(mcap_frame_ns "$v")" --pattern --frames 60 --progress 64 "$v" \
	>"$MCAP_CASE_OUT/timing.txt" 2>&1
rc=$?
cat "$MCAP_CASE_OUT/timing.txt"
[ $rc -eq 0 ] || fail "progress with bounce buffers"
grep -q "timing: progress-data: .*: ok landed lines read before DQBUF [1-9]" "$MCAP_CASE_OUT/timing.txt" ||
	fail "no landed line was checked before DQBUF"
mcap_unload
echo "progress bounced OK"

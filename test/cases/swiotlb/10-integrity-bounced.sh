#!/bin/sh
# 10-integrity-bounced.sh - frame integrity with every DMA bounced (swiotlb=force)
#
# This group boots with swiotlb=force: every streaming mapping of the card's
# device goes through bounce buffers, so a frame reaches the application's
# pages only through the driver's (vb2's) DMA sync calls. A missing or
# misplaced sync shows as stale or torn lines. MMAP and USERPTR, with and
# without line padding, two formats, four channels at once. DMABUF, whose
# syncs are the exporter's, is 15-dmabuf-bounced.sh.
# With padding, the padding bytes are not checked (-C): capture buffers are
# mapped DMA_FROM_DEVICE, so the DMA API copies the whole bounce buffer
# back, and bytes the card never wrote come back as the bounce buffer held
# them. That is the DMA API's contract, documented in multicap.rst.
# timeout: 900
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

grep -qw swiotlb=force /proc/cmdline || fail "not booted with swiotlb=force"
mcap_load channels=4 mode=320x240p30
# shellcheck disable=SC2046 # one word per node
set -- $(mcap_nodes)
for io in mmap userptr; do
	for pad in 0 36; do
		nocanary=
		[ $pad -eq 0 ] || nocanary=-C
		"$MCAP_TOOLS/mcap-integrity" -i $io -f YUYV -p $pad $nocanary -n 40 "$@" &
		mcap_swiotlb_peak $! || fail "$io pad $pad: integrity failed with bounce buffers"
		echo "$io pad $pad: OK, up to $MCAP_SWIOTLB_PEAK swiotlb slots in use while streaming"
		[ "$MCAP_SWIOTLB_PEAK" -gt 0 ] || fail "$io: no swiotlb slot in use: DMA was not bounced"
	done
done
"$MCAP_TOOLS/mcap-integrity" -i mmap -f NV12 -n 40 "$@" ||
	fail "NV12 with bounce buffers"
mcap_unload
echo "integrity under swiotlb=force OK"

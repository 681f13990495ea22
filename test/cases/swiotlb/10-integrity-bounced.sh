#!/bin/sh
# 10-integrity-bounced.sh - frame integrity with every DMA bounced (swiotlb=force)
#
# This group boots with swiotlb=force: every streaming mapping of the card's
# device goes through bounce buffers, so a frame reaches the application's
# pages only through the driver's (vb2's) DMA sync calls. A missing or
# misplaced sync shows as stale or torn lines. MMAP, USERPTR and DMABUF
# (from a dma-heap, where the kernel has one), with and without line
# padding, two formats, four channels at once.
# With padding, the padding bytes are not checked (-C): capture buffers are
# mapped DMA_FROM_DEVICE, so the DMA API copies the whole bounce buffer
# back, and bytes the card never wrote come back as the bounce buffer held
# them. That is the DMA API's contract, documented in multicap.rst.
# timeout: 900
set -u
. "$MCAP_ROOT/test/cases/lib.sh"

grep -qw swiotlb=force /proc/cmdline || fail "not booted with swiotlb=force"
# four channels checked, the fifth exports the DMABUFs
mcap_load channels=5 mode=320x240p30
set -- $(mcap_nodes)
exp=$5
set -- "$1" "$2" "$3" "$4"
used() { cat /sys/kernel/debug/swiotlb/io_tlb_used 2>/dev/null || echo 0; }
for io in mmap userptr dmabuf; do
	src=$exp
	if [ $io = dmabuf ]; then
		# vb2's own exporters (multicap, vivid) map attachments with
		# DMA_ATTR_SKIP_CPU_SYNC and sync only their own mapping in
		# DMA_BUF_IOCTL_SYNC, so an importer's bounce buffer never reaches
		# the pages; a dma-heap syncs every attachment (6.12 has one)
		if [ ! -e /dev/dma_heap/system ]; then
			echo "dmabuf: skipped, no dma-heap in this kernel (vb2 exporters cannot be bounced)"
			continue
		fi
		src=/dev/dma_heap/system
	fi
	for pad in 0 36; do
		nocanary=
		[ $pad -eq 0 ] || nocanary=-C
		"$MCAP_TOOLS/mcap-integrity" -i $io -f YUYV -p $pad $nocanary -e "$src" -n 40 "$@" &
		pid=$!
		u=0
		while kill -0 $pid 2>/dev/null; do
			n=$(used)
			[ "$n" -le "$u" ] || u=$n
			sleep 0.3
		done
		wait $pid || fail "$io pad $pad: integrity failed with bounce buffers"
		echo "$io pad $pad: OK, up to $u swiotlb slots in use while streaming"
		[ "$u" -gt 0 ] || fail "$io: no swiotlb slot in use: DMA was not bounced"
	done
done
"$MCAP_TOOLS/mcap-integrity" -i mmap -f NV12 -n 40 "$@" ||
	fail "NV12 with bounce buffers"
mcap_unload
echo "integrity under swiotlb=force OK"

#!/bin/sh
# 15-dmabuf-bounced.sh - DMABUF import with every DMA bounced (swiotlb=force)
#
# vb2 leaves the CPU syncs of an imported DMABUF to its exporter, so
# whether bounced frames reach the pages depends on the exporter. A
# dma-heap syncs every attachment: with one (/dev/dma_heap/system, e.g.
# 6.12) every byte of every frame is checked (mcap-integrity -i dmabuf,
# with and without padding, two channels) and the import must have used
# swiotlb slots. Debian's 6.1 has no dma-heap (nor udmabuf), and none of
# its exporters syncs an importer's mapping for the CPU after a frame
# (vb2's own, i.e. multicap and vivid, map an attachment once and keep it;
# vgem maps with DMA_ATTR_SKIP_CPU_SYNC): the frames stay in the
# importer's bounce buffers and cannot be checked. Then the case still
# streams DMABUFs exported by another multicap node through bounce buffers
# (v4l2-ctl; every frame must arrive, the driver must count them) and
# exits 77: an allowed skip, listed in README ("Skipped checks").
# timeout: 600
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

grep -qw swiotlb=force /proc/cmdline || fail "not booted with swiotlb=force"
# two channels checked, the third exports the DMABUFs when there is no heap
mcap_load channels=3 mode=320x240p30
# shellcheck disable=SC2046 # one word per node
set -- $(mcap_nodes)
[ $# -eq 3 ] || fail "expected 3 nodes, got $#"

if [ ! -e /dev/dma_heap/system ]; then
	n0=$(mcap_stat "$1" frames)
	out=$(timeout 60 v4l2-ctl -d "$1" --stream-dmabuf --export-device="$3" \
		--stream-count=40 --stream-to=/dev/null 2>&1) ||
		fail "v4l2-ctl --stream-dmabuf under swiotlb=force: $out"
	n1=$(mcap_stat "$1" frames)
	echo "dmabuf (exported by $3): $((n1 - n0)) frames streamed through bounce buffers"
	[ $((n1 - n0)) -ge 40 ] || fail "only $((n1 - n0)) of 40 DMABUF frames counted"
	mcap_unload
	echo "SKIP: DMABUF frame content under swiotlb=force: no dma-heap in kernel $(uname -r), its exporters skip the CPU sync"
	exit 77
fi

for pad in 0 36; do
	nocanary=
	[ $pad -eq 0 ] || nocanary=-C
	"$MCAP_TOOLS/mcap-integrity" -i dmabuf -f YUYV -p $pad $nocanary \
		-e /dev/dma_heap/system -n 40 "$1" "$2" &
	mcap_swiotlb_peak $! || fail "dmabuf pad $pad: integrity failed with bounce buffers"
	echo "dmabuf pad $pad: OK, up to $MCAP_SWIOTLB_PEAK swiotlb slots in use while streaming"
	[ "$MCAP_SWIOTLB_PEAK" -gt 0 ] || fail "dmabuf: no swiotlb slot in use: DMA was not bounced"
done
mcap_unload
echo "dmabuf under swiotlb=force OK"

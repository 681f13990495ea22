#!/bin/sh
# 76-gst-dmabuf-import.sh - GStreamer v4l2src io-mode=dmabuf-import into a
# downstream pool of DMABUFs with a larger stride
#
# mcap-gst-import runs "v4l2src io-mode=dmabuf-import ! fakesink" with the
# sink's ALLOCATION query answered by a pool of vgem DMABUFs whose
# GstVideoMeta stride is larger than the packed line (what a display or GPU
# sink with its own buffers offers). v4l2src has to S_FMT that bytesperline
# and queue the DMABUFs; the tool checks G_FMT and QUERYBUF (memory DMABUF)
# on a second fd while streaming, and every line of every frame (Tagged
# Lines) at that stride, padding untouched. Here the GStreamer log must also
# show v4l2src matching the remote stride and importing.
# Never skipped: make check installs the GStreamer and libdrm development
# packages (test/install-deps.sh) and builds the tool, and vgem is in every
# Debian kernel; a missing tool or vgem node is a failure.
# timeout: 600
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

TOOL=$MCAP_TOOLS/mcap-gst-import
[ -x "$TOOL" ] ||
	fail "$TOOL not built (GStreamer/libdrm development packages missing? test/install-deps.sh, make -C test/tools)"
modprobe vgem || fail "modprobe vgem"
udevadm settle --timeout=30 || true
mcap_load channels=2 mode=640x480p30
# shellcheck disable=SC2046 # one word per node
set -- $(mcap_nodes)
[ $# -eq 2 ] || fail "expected 2 nodes"

# check NODE FORMAT STRIDE FRAMES: STRIDE in bytes, 0 = packed line + 256
check() {
	tag=$(basename "$1")-$2
	log=$MCAP_CASE_OUT/$tag.gst.log
	out=$MCAP_CASE_OUT/$tag.txt
	sopt=
	[ "$3" -ne 0 ] && sopt="-s $3"
	# shellcheck disable=SC2086
	GST_DEBUG="v4l2:5,v4l2bufferpool:6,v4l2allocator:6" GST_DEBUG_NO_COLOR=1 \
		GST_DEBUG_FILE=$log "$TOOL" -f "$2" -n "$4" $sopt "$1" >"$out" 2>&1
	rc=$?
	cat "$out"
	[ $rc -eq 0 ] || fail "$1 $2: mcap-gst-import exit $rc"
	stride=$(sed -n 's/.* downstream stride \([0-9]*\),.*/\1/p' "$out")
	packed=$(sed -n 's/.* packed line \([0-9]*\),.*/\1/p' "$out")
	[ -n "$stride" ] && [ "$stride" -gt "$packed" ] || fail "$1 $2: stride $stride"
	grep -q "Wanted stride: $stride\$" "$log" ||
		fail "$1 $2: v4l2src did not S_FMT stride $stride (see $log)"
	grep -q "Driver did not accept" "$log" && fail "$1 $2: the driver refused the stride"
	n=$(grep -c "importing dmabuf" "$log")
	[ "$n" -ge "$4" ] || fail "$1 $2: $n DMABUF imports for $4 frames"
	echo "$1 $2: stride $stride (packed $packed), $n DMABUF imports: ok"
}

check "$1" YUYV 0 30
check "$2" NV12 0 30
check "$1" RGB24 2048 15
check "$2" XBGR32 4096 15
mcap_unload
modprobe -r vgem
echo "gst dmabuf-import OK"

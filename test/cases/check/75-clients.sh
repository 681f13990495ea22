#!/bin/sh
# 75-clients.sh - the clients people capture with, on every channel
#
# v4l2-ctl (--list-devices, --all, mmap/user/dmabuf streaming with another
# multicap node and vivid as exporters, the libv4l2 wrapper -w), GStreamer
# v4l2src in every io-mode, and OpenCV VideoCapture by index and by
# /dev/v4l/by-path name (colour bars checked).
# timeout: 1200
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

mcap_load channels=4 mode=640x480p30
modprobe vivid n_devs=1 node_types=1 || fail "modprobe vivid"
udevadm settle --timeout=30 || true
viv=$(for d in /sys/class/video4linux/video*; do
	grep -q vivid "$d/name" && echo "/dev/$(basename "$d")"; done | head -n 1)
# shellcheck disable=SC2046 # one word per node
set -- $(mcap_nodes)
[ $# -eq 4 ] || fail "expected 4 nodes"

v4l2-ctl --list-devices >"$MCAP_CASE_OUT/list.txt" 2>&1 || fail "--list-devices"
grep -q "multicap card 0 ch 0 (platform:multicap-sim.0)" "$MCAP_CASE_OUT/list.txt" ||
	fail "--list-devices: $(cat "$MCAP_CASE_OUT/list.txt")"
[ "$(grep -c '/dev/video' "$MCAP_CASE_OUT/list.txt")" -ge 4 ] || fail "--list-devices: nodes"

i=0
for v in "$@"; do
	other=$(mcap_nodes | grep -v "^$v\$" | head -n 1)
	v4l2-ctl -d "$v" --all >/dev/null || fail "$v --all"
	for io in "--stream-mmap" "--stream-user" "--stream-dmabuf --export-device=$other" \
		  "--stream-dmabuf --export-device=$viv"; do
		# shellcheck disable=SC2086
		out=$(v4l2-ctl -d "$v" $io --stream-count=10 --stream-to=/dev/null 2>&1) ||
			fail "$v $io: $out"
	done
	out=$(v4l2-ctl -w -d "$v" --stream-mmap --stream-count=10 --stream-to=/dev/null 2>&1) ||
		fail "$v libv4l2 wrapper: $out"
	for mode in auto mmap dmabuf rw; do
		out=$(gst-launch-1.0 -q v4l2src device="$v" io-mode=$mode num-buffers=15 \
			! fakesink 2>&1) || fail "$v gst io-mode=$mode: $out"
	done
	# userptr needs a downstream pool: videoconvert offers one
	out=$(gst-launch-1.0 -q v4l2src device="$v" io-mode=userptr num-buffers=15 \
		! video/x-raw,format=YUY2 ! videoconvert ! video/x-raw,format=I420 \
		! fakesink 2>&1) || fail "$v gst io-mode=userptr: $out"
	for f in YUY2 UYVY RGB BGR GRAY8 BGRx NV12 NV16; do
		out=$(gst-launch-1.0 -q v4l2src device="$v" num-buffers=3 \
			! video/x-raw,format=$f,width=640,height=480 ! fakesink 2>&1) ||
			fail "$v gst caps $f: $out"
	done
	v4l2-ctl -d "$v" --set-ctrl test_pattern=1 || fail "set colour bars"
	/usr/bin/python3 "$MCAP_TOOLS/mcap-opencv.py" $i 640 480 10 || fail "$v OpenCV by index"
	bypath=$(ls /dev/v4l/by-path/*-video-index$i 2>/dev/null | head -n 1)
	[ -n "$bypath" ] || fail "no /dev/v4l/by-path/*-video-index$i"
	[ "$(readlink -f "$bypath")" = "$v" ] || fail "$bypath is not $v"
	/usr/bin/python3 "$MCAP_TOOLS/mcap-opencv.py" "$bypath" 640 480 10 || fail "$v OpenCV by path"
	v4l2-ctl -d "$v" --set-ctrl test_pattern=0
	echo "$v: v4l2-ctl, gst io-modes and caps, OpenCV: ok"
	i=$((i + 1))
done
mcap_unload
modprobe -r vivid
echo "clients OK"

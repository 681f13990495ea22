#!/bin/sh
# record-all.sh - record every multicap channel to its own file at once
# Usage: [NUM_BUFFERS=n] gst-pipelines/record-all.sh OUTDIR [dev...]
# Motion JPEG in Matroska, OUTDIR/chN.mkv; default: all /dev/video* nodes
# whose driver is multicap. Stop with Ctrl-C.
OUT=${1:-.}
shift
if [ $# -eq 0 ]; then
	for d in /sys/class/video4linux/video*; do
		grep -q '^multicap card ' "$d/name" 2>/dev/null && set -- "$@" "/dev/$(basename "$d")"
	done
fi
P=
for dev in "$@"; do
	ch=$(cat "/sys/class/video4linux/$(basename "$dev")/index")
	P="$P v4l2src device=$dev num-buffers=${NUM_BUFFERS:--1} ! videoconvert ! jpegenc ! matroskamux ! filesink location=$OUT/ch$ch.mkv"
done
# shellcheck disable=SC2086
exec gst-launch-1.0 -e $P

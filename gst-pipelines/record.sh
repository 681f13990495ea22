#!/bin/sh
# record.sh - record one channel to a Matroska file (motion JPEG)
# Usage: [NUM_BUFFERS=n] gst-pipelines/record.sh /dev/videoN OUT.mkv
# Stop with Ctrl-C; -e closes the file properly.
DEV=${1:-/dev/video0}
OUT=${2:-capture.mkv}
exec gst-launch-1.0 -e v4l2src device="$DEV" num-buffers="${NUM_BUFFERS:--1}" \
	! videoconvert ! jpegenc ! matroskamux ! filesink location="$OUT"

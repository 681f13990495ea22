#!/bin/sh
# preview.sh - show one channel on screen
# Usage: [SINK=...] [NUM_BUFFERS=n] gst-pipelines/preview.sh [/dev/videoN]
DEV=${1:-/dev/video0}
exec gst-launch-1.0 -e v4l2src device="$DEV" num-buffers="${NUM_BUFFERS:--1}" \
	! videoconvert ! "${SINK:-autovideosink}"

#!/bin/sh
# low-latency.sh - preview with the least buffering: no queue, no clock wait
# Usage: [SINK=...] [NUM_BUFFERS=n] gst-pipelines/low-latency.sh [/dev/videoN]
# No queue and an unsynchronised sink: each frame is shown as soon as it
# is captured and converted, never held back for the clock.
DEV=${1:-/dev/video0}
exec gst-launch-1.0 v4l2src device="$DEV" num-buffers="${NUM_BUFFERS:--1}" \
	! videoconvert ! "${SINK:-autovideosink}" sync=false

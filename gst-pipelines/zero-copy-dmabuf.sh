#!/bin/sh
# zero-copy-dmabuf.sh - hand the card's buffers downstream as DMABUFs
# Usage: [SINK=...] [NUM_BUFFERS=n] gst-pipelines/zero-copy-dmabuf.sh [/dev/videoN]
# io-mode=dmabuf exports the vb2 buffers the card wrote into; elements that
# import DMABUF (encoders, display sinks, GPU upload) read them in place.
DEV=${1:-/dev/video0}
exec gst-launch-1.0 -e v4l2src device="$DEV" io-mode=dmabuf \
	num-buffers="${NUM_BUFFERS:--1}" ! queue ! "${SINK:-autovideosink}"

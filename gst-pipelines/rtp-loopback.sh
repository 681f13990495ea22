#!/bin/sh
# rtp-loopback.sh - stream one channel as RTP/JPEG and receive it, on loopback
# Usage: [SINK=...] [NUM_BUFFERS=n] [PORT=5004] gst-pipelines/rtp-loopback.sh [/dev/videoN]
# The sender is what you would run on the capture machine (point host= at
# the viewer); the receiver is the viewer's side. Both run here on 127.0.0.1.
DEV=${1:-/dev/video0}
PORT=${PORT:-5004}
gst-launch-1.0 -q udpsrc address=127.0.0.1 port="$PORT" \
	caps="application/x-rtp,media=video,encoding-name=JPEG,payload=26,clock-rate=90000" \
	! rtpjpegdepay ! jpegdec ! videoconvert ! "${SINK:-autovideosink}" &
rx=$!
sleep 1
gst-launch-1.0 -e v4l2src device="$DEV" num-buffers="${NUM_BUFFERS:--1}" \
	! videoconvert ! jpegenc ! rtpjpegpay ! udpsink host=127.0.0.1 port="$PORT"
rc=$?
sleep 1
kill "$rx" 2>/dev/null
wait "$rx" 2>/dev/null
exit $rc

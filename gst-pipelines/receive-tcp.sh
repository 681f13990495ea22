#!/bin/sh
# receive-tcp.sh - play or record the raw frames mcap-send serves over TCP
# Usage: [SINK=...] [FORMAT=uyvy] [FPS=30] gst-pipelines/receive-tcp.sh HOST PORT WxH [OUT]
# Connects to mcap-send --tcp-listen (which serves node N on PORT+N) and
# cuts the byte stream into frames: FORMAT is the GStreamer name of the
# node's format (uyvy, yuy2, rgb, bgr, gray8, bgrx, nv12, nv16), the lines
# packed (bytesperline = width * bytes per pixel, what mcap-send -f sets).
# Shows them on SINK, or with OUT writes them to OUT back to back. Ends
# when mcap-send closes the connection.
HOST=${1:?usage: receive-tcp.sh HOST PORT WxH [OUT]}
PORT=${2:?usage: receive-tcp.sh HOST PORT WxH [OUT]}
SIZE=${3:?usage: receive-tcp.sh HOST PORT WxH [OUT]}
OUT=${4:-}
set -- tcpclientsrc host="$HOST" port="$PORT" ! rawvideoparse \
	format="${FORMAT:-uyvy}" width="${SIZE%x*}" height="${SIZE#*x}" \
	framerate="${FPS:-30}/1" !
if [ -n "$OUT" ]; then
	set -- "$@" filesink location="$OUT"
else
	set -- "$@" queue ! videoconvert ! "${SINK:-autovideosink}"
fi
exec gst-launch-1.0 -e "$@"

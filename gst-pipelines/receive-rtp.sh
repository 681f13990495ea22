#!/bin/sh
# receive-rtp.sh - play or record an RTP raw video stream (RFC 4175) from mcap-send
# Usage: [SINK=...] [SAMPLING=YCbCr-4:2:2|RGB|BGR] [ADDRESS=a.b.c.d] [BUFSIZE=bytes]
#        [LATENCY=ms] [DUMP=file] gst-pipelines/receive-rtp.sh WxH [PORT] [OUT]
# Listens on UDP PORT (default 5004; mcap-send --rtp HOST:P sends node N to
# P+2N) and shows the video on SINK, or with OUT writes the frames to OUT,
# back to back as GStreamer lays them out (UYVY, RGB or BGR; rows padded to
# 4 bytes). The caps say what mcap-send --sdp writes (width, height,
# sampling). BUFSIZE is the socket's receive buffer (default 8 MiB; the
# kernel grants at most net.core.rmem_max): a receiver loses packets once
# it is full, at the latest while the pipeline starts. rtpjitterbuffer puts
# packets back in order (LATENCY, default 200 ms, is how long it waits for
# a late one): rtpvrawdepay pushes the frame it holds as soon as a packet
# of the next one arrives. A frame that lost packets is pushed as it is,
# the lines never received holding stale data. DUMP=file also writes every
# RTP packet as received, back to back (mcap-send's all have one size: the
# file's size counts them); its sink is async=false: an async one prerolls
# on the first packet and holds the tee until the other branch has a whole
# frame, which the queue (200 buffers) cannot wait for.
# Stop with Ctrl-C (-e: the files are closed properly).
SIZE=bytes]
#        [DUMP=file] gst-pipelines/receive-rtp.sh WxH [PORT] [OUT]
# Listens on UDP PORT (default 5004; mcap-send --rtp HOST:P sends node N to
# P+2N) and shows the video on SINK, or with OUT writes the frames to OUT,
# back to back as GStreamer lays them out (UYVY, RGB or BGR; rows padded to
# 4 bytes). The caps say what mcap-send --sdp writes (width, height,
# sampling). BUFSIZE is the socket's receive buffer (default 8 MiB): a
# receiver loses packets once it is full, at the latest while the pipeline
# starts. rtpvrawdepay pushes a frame that lost packets as it is, the lines
# never received holding stale data. DUMP=file also writes every RTP packet
# as received, back to back (mcap-send's all have one size), to count the
# lost ones (test/tools/mcap-rtpframes.py); its sink is async=false: an
# async one prerolls on the first packet and holds the tee until the other
# branch has a whole frame, which the queue (200 buffers) cannot wait for.
# Stop with Ctrl-C (-e: the files are closed properly).
SIZE=${1:?usage: receive-rtp.sh WxH [PORT] [OUT]}
PORT=${2:-5004}
OUT=${3:-}
set -- udpsrc address="${ADDRESS:-0.0.0.0}" port="$PORT" \
	buffer-size="${BUFSIZE:-8388608}" \
	caps="application/x-rtp, media=(string)video, clock-rate=(int)90000, encoding-name=(string)RAW, sampling=(string)${SAMPLING:-YCbCr-4:2:2}, depth=(string)8, width=(string)${SIZE%x*}, height=(string)${SIZE#*x}, payload=(int)96"
[ -z "${DUMP:-}" ] ||
	set -- "$@" ! tee name=t t. ! queue ! filesink async=false \
		location="$DUMP" t. ! queue
set -- "$@" ! rtpjitterbuffer latency="${LATENCY:-200}" ! rtpvrawdepay !
if [ -n "$OUT" ]; then
	set -- "$@" filesink location="$OUT"
else
	set -- "$@" queue ! videoconvert ! "${SINK:-autovideosink}"
fi
exec gst-launch-1.0 -e "$@"

#!/bin/sh
# mosaic.sh - the first four channels side by side in one window (2x2)
# Usage: [SINK=...] [NUM_BUFFERS=n] gst-pipelines/mosaic.sh [dev0 dev1 dev2 dev3]
# Each tile is scaled to 640x360.
[ $# -ge 4 ] || set -- /dev/video0 /dev/video1 /dev/video2 /dev/video3
N=${NUM_BUFFERS:--1}
exec gst-launch-1.0 -e compositor name=mix \
	sink_0::xpos=0 sink_0::ypos=0 sink_1::xpos=640 sink_1::ypos=0 \
	sink_2::xpos=0 sink_2::ypos=360 sink_3::xpos=640 sink_3::ypos=360 \
	! videoconvert ! "${SINK:-autovideosink}" \
	v4l2src device="$1" num-buffers="$N" ! videoscale ! video/x-raw,width=640,height=360 ! mix.sink_0 \
	v4l2src device="$2" num-buffers="$N" ! videoscale ! video/x-raw,width=640,height=360 ! mix.sink_1 \
	v4l2src device="$3" num-buffers="$N" ! videoscale ! video/x-raw,width=640,height=360 ! mix.sink_2 \
	v4l2src device="$4" num-buffers="$N" ! videoscale ! video/x-raw,width=640,height=360 ! mix.sink_3

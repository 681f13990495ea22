#!/bin/sh
# guest-demo.sh - the demo, inside the test VM (run by test/demo.sh)
#
# Loads the driver and a 4-channel simulated card (on a PCI boot the card
# is the QEMU device already there), captures all channels at
# once with mcap-capture, and tiles the last frame of each into a mosaic.
# Environment: MCAP_ROOT, MCAP_RESULTS (the results folder, shared with the
# host), MCAP_DEMO_MODE (default 1280x720p30), MCAP_DEMO_FRAMES (default 90).
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale
out=$MCAP_RESULTS
mode=${MCAP_DEMO_MODE:-1280x720p30}
frames=${MCAP_DEMO_FRAMES:-90}

dmesg -n 1
mcap_load channels=4 "mode=$mode"
echo "card: 4 channels on the $MCAP_BUS bus, input $mode, nodes: $(mcap_nodes | tr '\n' ' ')"
mkdir -p /tmp/frames
# shellcheck disable=SC2046 # one word per node
"$MCAP_USER_TOOLS/mcap-capture" -n "$frames" -o /tmp/frames $(mcap_nodes) \
	>"$out/capture.txt" 2>&1
rc=$?
for v in $(mcap_nodes); do
	ch=$(cat "/sys/class/video4linux/$(basename "$v")/index")
	echo "ch$ch driver: frames=$(mcap_stat "$v" frames) drops_no_buffer=$(mcap_stat "$v" drops_no_buffer) drops_overflow=$(mcap_stat "$v" drops_overflow) drops_chunk_error=$(mcap_stat "$v" drops_chunk_error)"
done >>"$out/capture.txt"
/usr/bin/python3 "$MCAP_ROOT/test/demo/mosaic.py" /tmp/frames "$out/mosaic.png" \
	"$out/capture.txt" >>"$out/capture.txt" 2>&1 || rc=1
mcap_unload
echo "$rc" >"$out/demo.rc"

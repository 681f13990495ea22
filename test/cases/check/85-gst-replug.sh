#!/bin/sh
# 85-gst-replug.sh - GStreamer keeps streaming through cable pulls and mode changes
#
# gst-launch-1.0 v4l2src runs on a channel while the simulator's input is
# pulled ("none"), changed to another mode, and restored. v4l2src gets
# V4L2_EVENT_SOURCE_CHANGE, renegotiates, and the pipeline must run to its
# end (num-buffers) with exit 0 and no ERROR message; frames must keep
# arriving across the changes (counted by the driver).
# timeout: 600
set -u
. "$MCAP_ROOT/test/cases/lib.sh"

mcap_load channels=1 mode=640x480p60
v=$(mcap_nodes | head -n 1)
m=$MCAP_SIM_DBG/card0/ch0/mode
log=$MCAP_CASE_OUT/gst.log
gst-launch-1.0 v4l2src device="$v" num-buffers=300 ! videoconvert \
	! fakesink >"$log" 2>&1 &
pid=$!
sleep 3
f0=$(mcap_stat "$v" frames)
for mode in none 1280x720p60 none 640x480p60 320x240p30; do
	echo "$mode" >"$m" || fail "write $mode"
	sleep 2
	f=$(mcap_stat "$v" frames)
	echo "input $mode: $f frames delivered so far"
	[ "$f" -gt "$f0" ] || fail "no frames after input $mode"
	f0=$f
	kill -0 $pid 2>/dev/null || break
done
wait $pid
rc=$?
tail -n 5 "$log"
[ $rc -eq 0 ] || fail "gst-launch exit $rc"
grep -q "^ERROR" "$log" && fail "pipeline posted an ERROR"
echo "source changes seen: $(mcap_stat "$v" source_changes)"
[ "$(mcap_stat "$v" source_changes)" -ge 5 ] || fail "source changes not reported"
mcap_unload
echo "replug OK"

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
mcap_unload_stale

mcap_load channels=1 mode=640x480p60
v=$(mcap_nodes | head -n 1)
m=$MCAP_SIM_DBG/card0/ch0/mode
log=$MCAP_CASE_OUT/gst.log
# wait_frames N: until the driver has delivered more than N frames (20 s)
wait_frames() {
	i=0
	while [ "$(mcap_stat "$v" frames)" -le "$1" ]; do
		i=$((i + 1))
		[ $i -le 100 ] || return 1
		sleep 0.2
	done
}

gst-launch-1.0 v4l2src device="$v" num-buffers=2400 ! videoconvert \
	! fakesink >"$log" 2>&1 &
pid=$!
wait_frames 30 || fail "the pipeline did not start streaming"
for mode in none 1280x720p60 none 640x480p60 320x240p30; do
	f0=$(mcap_stat "$v" frames)
	echo "$mode" >"$m" || fail "write $mode"
	sleep 1
	wait_frames $((f0 + 30)) || fail "no frames after input $mode"
	echo "input $mode: $(mcap_stat "$v" frames) frames delivered so far"
	kill -0 $pid 2>/dev/null || fail "gst-launch ended early: $(tail -n 5 "$log")"
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

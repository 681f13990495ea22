#!/bin/sh
# 60-unload-streaming.sh - remove the card while every channel streams
#
# 1. Stream all channels with v4l2-ctl, then unload the simulator: the
#    streams must end with an error, and closing must be clean.
# 2. Stream again, unbind the driver from the card through sysfs with the
#    file handles and mappings still open, then let the apps exit, then
#    unload everything. The kernel log must stay clean (checked by the
#    runner, with slub_debug).
# timeout: 600
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

stream_all() {
	pids=
	for v in $(mcap_nodes); do
		v4l2-ctl -d "$v" --stream-mmap --stream-count=100000 \
			--stream-to=/dev/null >/dev/null 2>&1 &
		pids="$pids $!"
	done
	sleep 3
	echo "$pids"
}

wait_all() {
	for p in $1; do
		i=0
		while kill -0 "$p" 2>/dev/null; do
			i=$((i + 1))
			[ $i -lt 100 ] || fail "process $p still running after removal"
			sleep 0.2
		done
	done
}

for round in 1 2 3; do
	mcap_load channels=4 mode=640x480p60
	pids=$(stream_all)
	rmmod multicap_sim || fail "rmmod multicap_sim while streaming"
	wait_all "$pids"
	[ -z "$(mcap_nodes)" ] || fail "nodes left"
	echo "round $round: simulator unloaded under 4 streams"

	mcap_load_sim channels=4 mode=640x480p60 || fail "reload sim"
	pids=$(stream_all)
	echo multicap-sim.0 >/sys/bus/platform/drivers/multicap-sim/unbind ||
		fail "unbind"
	wait_all "$pids"
	echo multicap-sim.0 >/sys/bus/platform/drivers/multicap-sim/bind ||
		fail "rebind"
	udevadm settle --timeout=30 || true
	[ "$(mcap_nodes | wc -l)" -eq 4 ] || fail "rebind: no nodes"
	v4l2-ctl -d "$(mcap_nodes | head -n 1)" --stream-mmap --stream-count=5 \
		--stream-to=/dev/null || fail "stream after rebind"
	mcap_unload
	echo "round $round: driver unbound under 4 streams, rebound, streamed"
done
echo "unload OK"

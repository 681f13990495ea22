#!/bin/sh
# 62-teardown-races.sh - tear the card down under 16 streaming channels; churn
#
# 1. First mcap-integrity checks every byte of 20 frames on each of the 16
#    channels at once. Then twice each: unbind the card, unload the
#    simulator, and try to unload the driver while 16 v4l2-ctl captures
#    hold their file handles and mmaps. Before each teardown every one of
#    the 16 captures must have dequeued at least MINF frames with strictly
#    increasing sequence numbers (v4l2-ctl --verbose logs a "seq:" line per
#    buffer): a channel that opens but never delivers fails. Unbind and
#    simulator unload must end every capture with an error (no hang), the
#    driver must refuse to unload while files are open, and everything must
#    load and capture again afterwards.
# 2. 1000 STREAMON/STREAMOFF cycles with buffers in every state.
# 3. 100 threads opening and querying the nodes while one streams.
# 4. One capture streams while two other processes read and change controls,
#    timings and formats; it must get every frame.
# The kernel log is checked after the case (slub_debug is on).
# timeout: 1500
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

DRV=/sys/bus/platform/drivers/multicap-sim
MINF=10		# frames each capture must dequeue before a teardown

# start_captures WHAT: 16 captures, each logging its buffers to
# $MCAP_CASE_OUT/<node>.log; returns once every one has dequeued MINF frames
# with strictly increasing sequence numbers (60 s at most)
start_captures() {
	pids=
	logs=
	for n in $(mcap_nodes); do
		log=$MCAP_CASE_OUT/$(basename "$n").log
		v4l2-ctl --verbose -d "$n" --stream-mmap --stream-count=1000000 \
			>"$log" 2>&1 &
		pids="$pids $!"
		logs="$logs $log"
	done
	# shellcheck disable=SC2086 # a list of PIDs
	[ "$(echo $pids | wc -w)" -eq 16 ] || fail "expected 16 nodes"
	t=0
	while :; do
		short=
		for log in $logs; do
			c=$(grep -c '^cap dqbuf: .* seq: ' "$log")
			[ "$c" -ge $MINF ] || short="$short $(basename "$log" .log):$c"
		done
		[ -z "$short" ] && break
		[ $t -lt 600 ] ||
			fail "$1: after 60 s, captures with fewer than $MINF frames:$short"
		sleep 0.1
		t=$((t + 1))
	done
	for p in $pids; do
		kill -0 "$p" 2>/dev/null || fail "$1: a capture ended early"
	done
	# shellcheck disable=SC2086 # the list of logs
	awk -v what="$1" '
		FNR == 1 { have = 0 }
		/^cap dqbuf: .* seq: / {
			for (i = 1; i < NF; i++)
				if ($i == "seq:")
					s = $(i + 1) + 0
			if (have && s <= last) {
				printf "FAIL: %s: %s: seq %d after %d\n", what, FILENAME, s, last
				bad = 1
			}
			if (have)
				gaps += s - last - 1
			n++
			have = 1
			last = s
		}
		END {
			printf "%s: 16 captures, %d frames dequeued, sequence gaps %d\n",
				what, n, gaps
			exit bad
		}' $logs || exit 1
}

# every capture (of a million frames) must end by itself within 10 s
captures_must_end() {
	# shellcheck disable=SC2086
	mcap_wait_exit 10 $pids || fail "$1: a capture hangs"
	echo "$1: 16 captures ended by themselves"
}

one_capture() {
	n=$(mcap_nodes | tail -n 1)
	v4l2-ctl -d "$n" --stream-mmap --stream-count=5 >/dev/null 2>&1 ||
		fail "$1: no capture on $n afterwards"
}

for round in 1 2; do
	mcap_load channels=16 mode=320x240p30
	if [ $round = 1 ]; then
		# shellcheck disable=SC2046 # one word per node
		"$MCAP_TOOLS/mcap-integrity" -i mmap -f YUYV -n 20 $(mcap_nodes) \
			>"$MCAP_CASE_OUT/integrity16.txt" 2>&1
		rc=$?
		cat "$MCAP_CASE_OUT/integrity16.txt"
		[ $rc -eq 0 ] || fail "16 channels: integrity check"
		grep -q '^mcap-integrity: PASS: nodes 16,' "$MCAP_CASE_OUT/integrity16.txt" ||
			fail "16 channels: mcap-integrity did not check 16 nodes"
	fi
	start_captures "round $round unbind"
	echo multicap-sim.0 >$DRV/unbind || fail "unbind"
	captures_must_end "round $round unbind"
	echo multicap-sim.0 >$DRV/bind || fail "bind"
	udevadm settle --timeout=30 2>/dev/null || true
	one_capture "round $round rebind"

	start_captures "round $round simulator unload"
	rmmod multicap_sim || fail "rmmod multicap_sim under streaming"
	captures_must_end "round $round simulator unload"
	mcap_load_sim channels=16 mode=320x240p30 || fail "reload sim"
	one_capture "round $round sim reload"

	start_captures "round $round driver unload"
	rmmod multicap 2>/dev/null && fail "driver unloaded with files open"
	for p in $pids; do
		kill -0 "$p" 2>/dev/null || fail "captures died when rmmod was refused"
		kill "$p"
	done
	wait
	echo "round $round: driver unload refused while open, files closed after"
	mcap_unload
done

mcap_load channels=4 mode=320x240p30
# shellcheck disable=SC2046 # one word per node
set -- $(mcap_nodes)
"$MCAP_TOOLS/mcap-stress" cycle -n 1000 "$1" || fail "stream cycles"

v4l2-ctl -d "$2" --stream-mmap --stream-count=150 >"$MCAP_CASE_OUT/stream2.txt" 2>&1 &
spid=$!
"$MCAP_TOOLS/mcap-stress" opens -n 100 -r 10 "$@" || fail "concurrent opens"
wait $spid || fail "capture during concurrent opens"

v4l2-ctl -d "$3" --stream-mmap --stream-count=300 \
	--stream-to="$MCAP_CASE_OUT/ch2.raw" >"$MCAP_CASE_OUT/stream3.txt" 2>&1 &
spid=$!
"$MCAP_TOOLS/mcap-stress" ctrls -t 8 "$3" &
c1=$!
"$MCAP_TOOLS/mcap-stress" ctrls -t 8 "$3" || fail "control storm"
wait $c1 || fail "control storm (second process)"
wait $spid || fail "capture during the control storm"
size=$(stat -c %s "$MCAP_CASE_OUT/ch2.raw")
[ "$size" -eq $((300 * 320 * 240 * 2)) ] || fail "capture wrote $size bytes, expected 300 frames"
rm -f "$MCAP_CASE_OUT/ch2.raw"
mcap_unload
echo "teardown races OK"

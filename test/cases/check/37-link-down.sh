#!/bin/sh
# 37-link-down.sh - surprise link-down while 4 channels stream
#
# In interrupt and in polling mode: four v4l2-ctl captures run, then the
# simulated card drops off the bus (all reads return all-ones, no more
# interrupts or DMA). The driver must notice by itself (watchdog / polling),
# stop touching the card, return the buffers and wake every waiter: each
# capture must end with an error within a few seconds, later opens and
# ioctls must fail with ENODEV, and both modules must unload.
# timeout: 600
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

for mode in irq poll; do
	if [ $mode = poll ]; then
		mcap_load_driver poll_us=1000
	else
		mcap_load_driver
	fi
	mcap_load_sim channels=4 mode=320x240p30 || fail "load sim"
	pids=
	for n in $(mcap_nodes); do
		v4l2-ctl -d "$n" --stream-mmap --stream-count=100000 \
			>"$MCAP_CASE_OUT/$mode-$(basename "$n").txt" 2>&1 &
		pids="$pids $!"
	done
	sleep 3
	for p in $pids; do
		kill -0 "$p" 2>/dev/null || fail "$mode: a capture ended before link-down"
	done
	lost=$(dmesg | grep -c "card lost")
	echo link-down >$MCAP_SIM_DBG/card0/ch0/inject || fail "inject link-down"
	# shellcheck disable=SC2086
	mcap_wait_exit 10 $pids || fail "$mode: a capture still runs 10 s after link-down"
	t=$MCAP_WAITED
	# v4l2-ctl exits 0 even then: the error is in its output
	for f in "$MCAP_CASE_OUT"/$mode-*.txt; do
		grep -q "DQBUF: failed" "$f" || fail "$mode: $f: capture ended without an error"
	done
	echo "$mode: every capture ended $((t / 10)).$((t % 10)) s after link-down"
	[ "$(dmesg | grep -c "card lost")" -gt "$lost" ] ||
		fail "$mode: no 'card lost' in the kernel log"
	for n in $(mcap_nodes); do
		v4l2-ctl -d "$n" --get-fmt-video >"$MCAP_CASE_OUT/after.txt" 2>&1 &&
			fail "$mode: $n still answers ioctls after link-down"
		grep -q "No such device" "$MCAP_CASE_OUT/after.txt" ||
			fail "$mode: $n: $(cat "$MCAP_CASE_OUT/after.txt")"
	done
	mcap_unload
done
echo "link-down OK"

#!/bin/sh
# 36-fault-recovery.sh - every fault, many times, during 4-channel capture
#
# Channels 0-2 run mcap-integrity (every byte of every frame checked), channel
# 3 runs mcap-capture while its input is pulled and changed. Four rounds of:
# a hung engine on ch2 (the driver's watchdog must reset and restart it on
# the same buffers), a stray DMA on ch1 (the card refuses memory the driver
# never mapped), a chunk error on ch0, a FIFO overflow on ch1, spurious
# interrupts, and cable pull / mode change on ch3. Expect: no bad frame
# delivered, every loss a sequence gap and counted, every stream recovered
# without reopening, and the driver's counters equal to the card's.
# timeout: 900
set -u
. "$MCAP_ROOT/test/cases/lib.sh"

ROUNDS=4
mcap_load channels=4 mode=320x240p30
set -- $(mcap_nodes)
dbg=$MCAP_SIM_DBG/card0
"$MCAP_TOOLS/mcap-integrity" -i mmap -f YUYV -n 500 "$1" "$2" "$3" \
	>"$MCAP_CASE_OUT/integrity.txt" 2>&1 &
ipid=$!
"$MCAP_TOOLS/mcap-capture" -n 400 "$4" >"$MCAP_CASE_OUT/capture.txt" 2>&1 &
cpid=$!
sleep 2
i=0
while [ $i -lt $ROUNDS ]; do
	i=$((i + 1))
	echo stall >$dbg/ch2/inject || fail "inject stall"
	echo stray-dma >$dbg/ch1/inject || fail "inject stray-dma"
	echo desc-error >$dbg/ch0/inject || fail "inject desc-error"
	echo none >$dbg/ch3/mode || fail "pull ch3"
	sleep 0.5
	echo overflow >$dbg/ch1/inject || fail "inject overflow"
	for k in 1 2 3; do
		echo spurious-irq >$dbg/ch0/inject || fail "inject spurious-irq"
	done
	echo 640x480p60 >$dbg/ch3/mode || fail "mode ch3"
	sleep 0.5
	echo 320x240p30 >$dbg/ch3/mode || fail "mode ch3 back"
	# the watchdog needs 1 s without a frame, then restarts the engine
	sleep 1.5
done
wait $ipid
irc=$?
wait $cpid
crc=$?
cat "$MCAP_CASE_OUT/integrity.txt" "$MCAP_CASE_OUT/capture.txt"
[ $irc -eq 0 ] || fail "integrity check failed under faults"
[ $crc -eq 0 ] || fail "ch3 capture did not survive cable pulls"

resets=$(mcap_stat "$3" watchdog_resets)
stall=$(mcap_stat "$3" drops_stall)
echo "ch2: watchdog_resets=$resets drops_stall=$stall"
[ "$resets" -eq $ROUNDS ] || fail "watchdog resets $resets, expected $ROUNDS"
[ "$stall" -ge $ROUNDS ] || fail "drops_stall $stall < $ROUNDS"
grep -q "ch2/YUYV: .*card restarts $ROUNDS\$" "$MCAP_CASE_OUT/integrity.txt" ||
	fail "integrity did not see $ROUNDS restarts on ch2 as sequence gaps"
grep -q "ch2/YUYV: .*dropped 0," "$MCAP_CASE_OUT/integrity.txt" &&
	fail "hung engine left no sequence gap"

refused=$(cat $dbg/dma_refused)
echo "card: dma_refused=$refused"
[ "$refused" -eq $ROUNDS ] || fail "card refused $refused stray DMAs, expected $ROUNDS"
for n in "$1" "$2"; do
	chunk=$(mcap_stat "$n" drops_chunk_error)
	abort=$(mcap_stat "$n" card_abort_count)
	echo "$n: drops_chunk_error=$chunk card ABORT_COUNT=$abort"
	[ "$chunk" -ge $ROUNDS ] || fail "$n: only $chunk chunk errors"
	[ "$chunk" -eq "$abort" ] || fail "$n: chunk errors driver $chunk, card $abort"
done
ovf=$(mcap_stat "$2" drops_overflow)
covf=$(mcap_stat "$2" card_overflow_count)
echo "ch1: drops_overflow=$ovf card OVERFLOW_COUNT=$covf"
[ "$ovf" -eq "$covf" ] && [ "$ovf" -ge $ROUNDS ] || fail "overflows: driver $ovf, card $covf"
changes=$(mcap_stat "$4" source_changes)
echo "ch3: source_changes=$changes"
[ "$changes" -ge $((ROUNDS * 3)) ] || fail "ch3: $changes source changes, expected >= $((ROUNDS * 3))"
mcap_unload
echo "fault recovery OK"

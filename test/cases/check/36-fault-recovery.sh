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
mcap_unload_stale

ROUNDS=4
mcap_load channels=4 mode=320x240p30
# shellcheck disable=SC2046 # one word per node
set -- $(mcap_nodes)
# over PCI each injection is a QMP round trip (about a second under TCG)
FRAMES=500
[ "$MCAP_BUS" = pci ] && FRAMES=2700
"$MCAP_TOOLS/mcap-integrity" -i mmap -f YUYV -n $FRAMES "$1" "$2" "$3" \
	>"$MCAP_CASE_OUT/integrity.txt" 2>&1 &
ipid=$!
"$MCAP_USER_TOOLS/mcap-capture" -n $((FRAMES * 4 / 5)) "$4" >"$MCAP_CASE_OUT/capture.txt" 2>&1 &
cpid=$!
sleep 2
i=0
while [ $i -lt $ROUNDS ]; do
	i=$((i + 1))
	kill -0 $ipid 2>/dev/null || fail "the integrity check ended before round $i"
	mcap_inject 0 2 stall || fail "inject stall"
	mcap_inject 0 1 stray-dma || fail "inject stray-dma"
	mcap_inject 0 0 desc-error || fail "inject desc-error"
	mcap_input 0 3 none || fail "pull ch3"
	sleep 0.5
	mcap_inject 0 1 overflow || fail "inject overflow"
	for _ in 1 2 3; do
		mcap_inject 0 0 spurious-irq || fail "inject spurious-irq"
	done
	mcap_input 0 3 640x480p60 || fail "mode ch3"
	sleep 0.5
	mcap_input 0 3 320x240p30 || fail "mode ch3 back"
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

if [ "$MCAP_BUS" = pci ]; then
	refused=$(mcap_qmp get mc0 dma-faults)
else
	refused=$(cat "$MCAP_SIM_DBG/card0/dma_refused")
fi
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

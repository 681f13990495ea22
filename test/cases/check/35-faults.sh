#!/bin/sh
# 35-faults.sh - chunk errors and FIFO overflows while streaming
#
# While mcap-integrity checks every frame of two channels, the simulator
# fails a descriptor in the middle of a frame (desc-error) on channel 0 and
# overflows its FIFO on channel 1, several times. A frame with a bad chunk
# must never be delivered: the driver puts the buffer back on the ring, so
# the integrity check stays clean and the lost frames show as sequence gaps:
# each channel must show at least one gap per fault injected into it (the
# injections end well before either channel has its frames; a frame lost
# to a FIFO overflow on ch1 is as visible as a failed one on ch0).
# The driver's counters must match the card's (ABORT_COUNT, OVERFLOW_COUNT).
# timeout: 600
set -u
. "$MCAP_ROOT/test/cases/lib.sh"

mcap_load channels=2 mode=320x240p30
set -- $(mcap_nodes)
# over PCI each injection is a QMP round trip (about a second under TCG)
FRAMES=150
[ "$MCAP_BUS" = pci ] && FRAMES=600
INJECT=4	# faults injected into each channel
"$MCAP_TOOLS/mcap-integrity" -i mmap -f YUYV -n $FRAMES "$1" "$2" \
	>"$MCAP_CASE_OUT/integrity.txt" 2>&1 &
pid=$!
sleep 2
for i in $(seq $INJECT); do
	kill -0 $pid 2>/dev/null || fail "the integrity check ended before injection $i"
	mcap_inject 0 0 desc-error || fail "inject desc-error"
	mcap_inject 0 1 overflow || fail "inject overflow"
	sleep 0.5
done
wait $pid
rc=$?
cat "$MCAP_CASE_OUT/integrity.txt"
[ $rc -eq 0 ] || fail "integrity check failed under faults"

# sequence gaps seen by the application, per channel ("chN/YUYV: ... dropped D,")
gaps() {
	sed -n "s|^.*/ch$1/YUYV: frames .*, dropped \([0-9]*\),.*|\1|p" \
		"$MCAP_CASE_OUT/integrity.txt"
}
gaps0=$(gaps 0)
gaps1=$(gaps 1)
echo "sequence gaps: ch0 ${gaps0:-?} (desc-error x$INJECT), ch1 ${gaps1:-?} (overflow x$INJECT)"
[ "${gaps0:-0}" -ge $INJECT ] ||
	fail "ch0: ${gaps0:-no} sequence gaps for $INJECT desc-error injections"
[ "${gaps1:-0}" -ge $INJECT ] ||
	fail "ch1: ${gaps1:-no} sequence gaps for $INJECT overflow injections"

chunk=$(mcap_stat "$1" drops_chunk_error)
abort=$(mcap_stat "$1" card_abort_count)
ovf=$(mcap_stat "$2" drops_overflow)
card_ovf=$(mcap_stat "$2" card_overflow_count)
echo "ch0: drops_chunk_error=$chunk card ABORT_COUNT=$abort"
echo "ch1: drops_overflow=$ovf card OVERFLOW_COUNT=$card_ovf"
[ "$chunk" -ge $INJECT ] || fail "$chunk chunk errors seen for $INJECT injections"
[ "$chunk" -eq "$abort" ] || fail "chunk errors: driver $chunk, card $abort"
[ "$ovf" -ge $INJECT ] || fail "$ovf overflows seen for $INJECT injections"
[ "$ovf" -eq "$card_ovf" ] || fail "overflows: driver $ovf, card $card_ovf"
mcap_unload
echo "faults OK"

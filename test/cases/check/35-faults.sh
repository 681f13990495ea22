#!/bin/sh
# 35-faults.sh - chunk errors, FIFO overflows and lost descriptors while
# streaming
#
# While mcap-integrity checks every frame of channels 0 and 1, the card
# fails a descriptor in the middle of a frame (desc-error) on channel 0 and
# overflows its FIFO on channel 1, several times. A frame with a bad chunk
# must never be delivered: the driver puts the buffer back on the ring, so
# the integrity check stays clean and the lost frames show as sequence gaps:
# each channel must show at least one gap per fault injected into it (the
# injections end well before either channel has its frames; a frame lost
# to a FIFO overflow on ch1 is as visible as a failed one on ch0).
# The driver's counters must match the card's (ABORT_COUNT, OVERFLOW_COUNT).
#
# Channel 2 gets desc-lost: the card skips one descriptor of a frame (no
# bytes, no status) yet reports the frame good (DONE, no ERR; only the
# entry's done count is one short). Only the driver's bad_assembly check
# (src/multicap-dma.c) can catch it. mcap-drops checks every frame of
# channel 2 (Tagged Lines: a delivered frame with a lost descriptor holds an
# older frame's lines there) and accounts for every sequence number exactly
# (good frames dequeued + every drops_* counter == the sequence range).
# bad_assembly and drops_chunk_error must each equal the injections, and the
# card must have flagged none of them (ABORT_COUNT 0).
# timeout: 600
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

mcap_load channels=3 mode=320x240p30
# shellcheck disable=SC2046 # one word per node
set -- $(mcap_nodes)
[ $# -ge 3 ] || fail "$# multicap nodes, expected 3"
# over PCI each injection is a QMP round trip (about a second under TCG)
FRAMES=150
[ "$MCAP_BUS" = pci ] && FRAMES=600
# on a slower kernel (make check-debug) the injections take longer too
FRAMES=$((FRAMES * ${MCAP_TIMEOUT_SCALE:-1}))
INJECT=4	# faults injected into each channel
"$MCAP_TOOLS/mcap-integrity" -i mmap -f YUYV -n $FRAMES "$1" "$2" \
	>"$MCAP_CASE_OUT/integrity.txt" 2>&1 &
pid=$!
"$MCAP_TOOLS/mcap-drops" -n $FRAMES "$3" >"$MCAP_CASE_OUT/drops.txt" 2>&1 &
dpid=$!
sleep 2
for i in $(seq $INJECT); do
	kill -0 $pid 2>/dev/null || fail "the integrity check ended before injection $i"
	kill -0 $dpid 2>/dev/null || fail "mcap-drops ended before injection $i"
	mcap_inject 0 0 desc-error || fail "inject desc-error"
	mcap_inject 0 1 overflow || fail "inject overflow"
	mcap_inject 0 2 desc-lost || fail "inject desc-lost"
	sleep 0.5
done
wait $pid
rc=$?
wait $dpid
drc=$?
cat "$MCAP_CASE_OUT/integrity.txt" "$MCAP_CASE_OUT/drops.txt"
[ $rc -eq 0 ] || fail "integrity check failed under faults"
[ $drc -eq 0 ] || fail "ch2: mcap-drops failed under desc-lost (a frame delivered with a lost descriptor, or drops not accounted)"

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
bad0=$(mcap_stat "$1" bad_assembly)
ovf=$(mcap_stat "$2" drops_overflow)
card_ovf=$(mcap_stat "$2" card_overflow_count)
echo "ch0: drops_chunk_error=$chunk card ABORT_COUNT=$abort bad_assembly=$bad0"
echo "ch1: drops_overflow=$ovf card OVERFLOW_COUNT=$card_ovf"
[ "$chunk" -ge $INJECT ] || fail "$chunk chunk errors seen for $INJECT injections"
[ "$chunk" -eq "$abort" ] || fail "chunk errors: driver $chunk, card $abort"
# a frame the card flagged is an error, not a bad assembly
[ "$bad0" -eq 0 ] || fail "ch0: $bad0 flagged chunk errors counted as bad_assembly"
[ "$ovf" -ge $INJECT ] || fail "$ovf overflows seen for $INJECT injections"
[ "$ovf" -eq "$card_ovf" ] || fail "overflows: driver $ovf, card $card_ovf"

# ch2: every desc-lost caught by bad_assembly, each a dropped frame
bad=$(mcap_stat "$3" bad_assembly)
chunk2=$(mcap_stat "$3" drops_chunk_error)
abort2=$(mcap_stat "$3" card_abort_count)
grep "^mcap-drops: PASS: " "$MCAP_CASE_OUT/drops.txt" ||
	fail "ch2: no mcap-drops summary"
echo "ch2: bad_assembly=$bad drops_chunk_error=$chunk2 card ABORT_COUNT=$abort2 (desc-lost x$INJECT)"
[ "$bad" -eq $INJECT ] ||
	fail "ch2: bad_assembly $bad for $INJECT desc-lost injections"
[ "$chunk2" -eq $INJECT ] ||
	fail "ch2: drops_chunk_error $chunk2 for $INJECT desc-lost injections"
[ "$abort2" -eq 0 ] ||
	fail "ch2: the card flagged $abort2 frames: desc-lost must look good to it"
mcap_unload
echo "faults OK"

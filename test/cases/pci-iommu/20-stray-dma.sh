#!/bin/sh
# 20-stray-dma.sh - a stray DMA write is stopped by the IOMMU, and the
#                   driver recovers
#
# While four channels stream and are checked frame by frame, the card is
# made to write (stray-dma) to an IOVA nobody mapped, ROUNDS times. The
# IOMMU must fault each write (a DMAR fault in the kernel log), the card
# must see the failed write (its dma-faults counter, the error bit of that
# chunk), the driver must drop that frame (a chunk error, never a bad frame
# delivered) and go on streaming.
# timeout: 900
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

ROUNDS=3
mcap_load channels=4
# shellcheck disable=SC2046 # one word per node
set -- $(mcap_nodes)
"$MCAP_TOOLS/mcap-integrity" -i mmap -f YUYV -n 900 "$@" \
	>"$MCAP_CASE_OUT/integrity.txt" 2>&1 &
pid=$!
sleep 3
i=0
while [ $i -lt $ROUNDS ]; do
	i=$((i + 1))
	kill -0 $pid 2>/dev/null || fail "the capture ended before injection $i"
	mcap_inject 0 1 stray-dma || fail "inject stray-dma"
	sleep 1.5
done
wait $pid
rc=$?
cat "$MCAP_CASE_OUT/integrity.txt"
[ $rc -eq 0 ] || fail "the driver did not recover from the faulted DMA"
dmesg | grep "DMAR" | head -n 12
faults=$(dmesg | grep -c "DMAR: \[DMA Write")
card=$(mcap_qmp get mc0 dma-faults)
chunk=$(mcap_stat "$2" drops_chunk_error)
echo "injected $ROUNDS: DMAR write faults $faults, card dma-faults $card, ch1 drops_chunk_error $chunk"
[ "$card" -eq $ROUNDS ] || fail "the card saw $card failed writes, expected $ROUNDS"
# QEMU's VT-d model may record a write that it translates twice as two
# faults, or fold a repeat into the pending one ("compression")
[ "$faults" -ge $ROUNDS ] || fail "the IOMMU reported $faults DMAR write faults, expected $ROUNDS"
[ "$chunk" -ge $ROUNDS ] || fail "ch1: $chunk chunk errors for $ROUNDS faulted writes"
grep -q "ch1/YUYV: .*dropped 0," "$MCAP_CASE_OUT/integrity.txt" &&
	fail "faulted frames left no sequence gap on ch1"
mcap_unload
echo "stray dma OK"

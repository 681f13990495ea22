#!/bin/sh
# 38-timing.sh - frame timing from the card's clock: timestamps, FRAME_SYNC,
# progress events, genlock, and what they cost in interrupts
#
# - Timestamps (end of frame, then start of frame) are strictly monotonic
#   and spaced by the frame period within 10 us, every frame byte-checked.
# - FRAME_SYNC: one per frame, carrying the sequence the buffer gets.
# - Progress every 64 lines of 480 (and every 100, not a divisor): events
#   ordered, lines increasing, the landed lines already in the buffer, the
#   last = the height (a late pass may merge steps, so the count is at most
#   8 resp. 5); 5000 (above the height) is clamped to one event a frame.
# - An application that never reads its events loses no frame.
# - Progress off adds no interrupt: one a frame with it off, more with it on.
# - The clock's map tracks the card's crystal error (the simulator's 25 ppm).
# - Genlock (platform card; the PCIe card in pci-hotplug/40-genlock.sh):
#   4 channels x 300 frames, same-instant frames carry identical timestamps;
#   the same check fails on a card without genlock.
# timeout: 900
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

mcap_load channels=4 mode=640x480p60
# shellcheck disable=SC2046 # one word per node
set -- $(mcap_nodes)
[ $# -ge 4 ] || fail "expected 4 nodes, have $#"
v=$1
dbg=$(mcap_card_dbg "$v")
period=$(mcap_frame_ns "$v")
[ "$period" -gt 0 ] || fail "cannot read ch0.IN_FRAME_NS"
T="$MCAP_TOOLS/mcap-timing --period-ns $period"

$T --pattern --frames 300 --frame-sync "$v" || fail "EOF timestamps, FRAME_SYNC"
$T --pattern --frames 120 --ts-source sof "$v" || fail "SOF timestamps"
$T --pattern --frames 120 --progress 64 "$v" >"$MCAP_CASE_OUT/p64.txt"
r64=$?
$T --frames 60 --progress 100 "$v" >"$MCAP_CASE_OUT/p100.txt"
r100=$?
cat "$MCAP_CASE_OUT/p64.txt" "$MCAP_CASE_OUT/p100.txt"
[ $r64 -eq 0 ] || fail "progress 64"
[ $r100 -eq 0 ] || fail "progress 100"
# the most events a frame had: never more steps than the card has
for f in p64:8 p100:5; do
	most=$(sed -n 's/.*per frame min [0-9]* max \([0-9]*\).*/\1/p' "$MCAP_CASE_OUT/${f%:*}.txt" | head -n 1)
	[ -n "$most" ] && [ "$most" -le "${f#*:}" ] && [ "$most" -ge 2 ] ||
		fail "${f%:*}: at most '$most' events a frame, expected 2..${f#*:}"
done
$T --frames 60 --progress 5000 --expect-progress 1 "$v" || fail "progress 5000"
$T --frames 300 --frame-sync --progress 16 --no-read-events "$v" ||
	fail "unread events slowed the stream"

# Interrupts per frame, one channel streaming: progress off, then every 64
# lines (8 notifications a frame, some may share an interrupt).
irq_per_frame() {
	_i0=$(mcap_stat "$v" interrupts)
	_f0=$(mcap_stat "$v" frames)
	$T --frames 120 "$@" "$v" >/dev/null || fail "stream $*"
	_i1=$(mcap_stat "$v" interrupts)
	_f1=$(mcap_stat "$v" frames)
	echo "$(((_i1 - _i0) * 100 / (_f1 - _f0)))"
}
off=$(irq_per_frame)
on=$(irq_per_frame --progress 64)
echo "interrupts per 100 frames: progress off $off, every 64 lines $on"
[ "$off" -le 105 ] || fail "progress off: $off interrupts per 100 frames, expected 100"
[ "$on" -ge 300 ] || fail "progress on: only $on interrupts per 100 frames"

cat "$dbg/clock"
if [ "$MCAP_BUS" = platform ]; then
	# the simulator's default crystal error, 25000 ppb, seen within 1 ppm
	drift=$(sed -n 's/^drift_ppb: //p' "$dbg/clock")
	[ "$drift" -ge 24000 ] && [ "$drift" -le 26000 ] ||
		fail "clock drift $drift ppb, the card runs at +25000"

	$T --frames 300 --expect-unlocked "$@" || fail "free-running channels share timestamps"
	mcap_unload
	mcap_load channels=4 mode=640x480p60 genlock=1
	grep -q 'SYNC *0x00000001' "$dbg/registers" || fail "card does not report genlock"
	# shellcheck disable=SC2046 # one word per node
	$T --frames 300 --genlock $(mcap_nodes) || fail "genlock: timestamps differ"
fi
mcap_unload
echo "timing OK"

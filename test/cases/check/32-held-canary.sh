#!/bin/sh
# 32-held-canary.sh - the card never writes a buffer the application holds
#
# mcap-drops -c, over MMAP and then USERPTR: every buffer the application
# holds (dequeued, not requeued) is filled with a canary at once. Some are
# held while the card fills the others, then all of them for 300 ms while
# the card has no buffer queued and drops frames. Just before a held buffer
# is queued again every byte of it must still be the canary: a byte changed
# is the card writing a buffer that was not queued. Streaming must resume
# when the buffers are queued again (the first frame after each hold is new:
# later timestamp, a sequence gap), every delivered frame passes Tagged
# Lines, and the drops are accounted exactly (drops_* delta == sequence
# numbers without a frame). The starvation must show in the driver's
# drops_no_buffer and in the card's DROP_COUNT.
# timeout: 600
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

mcap_load channels=2 mode=320x240p30
v=$(mcap_nodes | head -n 1)
[ -n "$v" ] || fail "no multicap node"
for mem in mmap userptr; do
	out=$MCAP_CASE_OUT/drops-$mem.txt
	nb0=$(mcap_stat "$v" drops_no_buffer)
	"$MCAP_TOOLS/mcap-drops" -c -i $mem -n 90 -H 300 "$v" >"$out" 2>&1
	rc=$?
	cat "$out"
	[ $rc -eq 0 ] ||
		fail "$mem: mcap-drops -c failed: a held buffer written, a stale frame, no resume or drops not accounted"
	grep -q "^mcap-drops: PASS: .*held buffers checked [1-9]" "$out" ||
		fail "$mem: no held buffer was checked"
	nb=$(($(mcap_stat "$v" drops_no_buffer) - nb0))
	card=$(mcap_stat "$v" card_drop_count)
	echo "$mem: drops_no_buffer +$nb, card DROP_COUNT $card"
	[ "$nb" -gt 0 ] || fail "$mem: starving the card dropped no frame"
	# the card restarts DROP_COUNT at STREAMON; it may count a drop after
	# the driver's last completion, never fewer
	[ "$card" -ge "$nb" ] ||
		fail "$mem: the driver counted $nb no-buffer drops, the card $card"
done
mcap_unload
echo "held canary OK"

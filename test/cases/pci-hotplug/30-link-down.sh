#!/bin/sh
# 30-link-down.sh - a PCIe card whose link goes down while it streams
#
# The card's link drops (injected over QMP: from then on its registers read
# all-ones, as when a card falls off the bus). Every capture on it must end
# with an error within seconds, the driver logs "card lost", its nodes stop
# answering, and the other card streams on untouched. Unplugging the dead
# card and plugging a new one into the same port brings its channels back.
# timeout: 900
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

mcap_load
nodes=$(mcap_nodes)
[ "$(echo "$nodes" | wc -w)" -eq 16 ] || fail "expected 16 nodes, got: $nodes"
card1=$(echo "$nodes" | tail -n 8)
card0=$(echo "$nodes" | head -n 8)
# shellcheck disable=SC2086 # the node list
mcap_stream_bg $card1
pids=$MCAP_PIDS
# shellcheck disable=SC2086 # the node list
"$MCAP_TOOLS/mcap-integrity" -i mmap -f YUYV -n 150 $card0 \
	>"$MCAP_CASE_OUT/card0.txt" 2>&1 &
ipid=$!
sleep 5
lost=$(dmesg | grep -c "card lost")
mcap_inject 1 0 link-down || fail "inject link-down"
# shellcheck disable=SC2086 # a list of PIDs
mcap_wait_exit 30 $pids || fail "a capture still runs 30 s after link-down"
echo "every capture on card 1 ended $((MCAP_WAITED / 10)).$((MCAP_WAITED % 10)) s after link-down"
for v in $card1; do
	grep -q "DQBUF: failed" "$MCAP_CASE_OUT/$(basename "$v").txt" ||
		fail "$v: the capture ended without an error"
	v4l2-ctl -d "$v" --get-fmt-video >"$MCAP_CASE_OUT/after.txt" 2>&1 &&
		fail "$v still answers ioctls after link-down"
done
[ "$(dmesg | grep -c "card lost")" -gt "$lost" ] || fail "no 'card lost' in the kernel log"
wait $ipid
rc=$?
cat "$MCAP_CASE_OUT/card0.txt"
[ $rc -eq 0 ] || fail "card 0 did not stream on while card 1 was lost"

mcap_qmp unplug mc1 || fail "unplug the lost card"
mcap_pci_plug mc1 rp1 16 channels=8 mode=320x240p30
card1=$(mcap_nodes | tail -n 8)
# shellcheck disable=SC2086 # the node list
"$MCAP_TOOLS/mcap-integrity" -i mmap -f YUYV -n 10 $card1 \
	>"$MCAP_CASE_OUT/replugged.txt" 2>&1 || {
	cat "$MCAP_CASE_OUT/replugged.txt"
	fail "the new card 1 does not stream"
}
mcap_unload
echo "link-down OK"

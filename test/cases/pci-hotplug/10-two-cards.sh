#!/bin/sh
# 10-two-cards.sh - two PCIe cards of 8 channels each, all 16 streaming
#
# Each card is its own v4l2_device with its nodes in channel order; all 16
# channels stream at once and every frame of every channel is checked
# (Tagged Lines), so the frame count per channel is the count of good
# frames that channel delivered.
# timeout: 900
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

FRAMES=60
[ "$(lspci -n -d 10ee:7c10 | wc -l)" -eq 2 ] || fail "expected 2 multicap cards in lspci"
mcap_load
nodes=$(mcap_nodes)
[ "$(echo "$nodes" | wc -w)" -eq 16 ] || fail "expected 16 nodes, got: $nodes"
cards=$(for v in $nodes; do
	basename "$(readlink -f "/sys/class/video4linux/$(basename "$v")/device")"
done | uniq | wc -l)
[ "$cards" -eq 2 ] || fail "the nodes are not grouped by card ($cards runs)"
# shellcheck disable=SC2086 # the node list
"$MCAP_TOOLS/mcap-integrity" -i mmap -f YUYV -n $FRAMES $nodes \
	>"$MCAP_CASE_OUT/integrity.txt" 2>&1
rc=$?
cat "$MCAP_CASE_OUT/integrity.txt"
[ $rc -eq 0 ] || fail "integrity over 2 cards x 8 channels"
n=$(grep -c "YUYV: frames" "$MCAP_CASE_OUT/integrity.txt")
[ "$n" -eq 16 ] || fail "$n channels reported frames, expected 16"
mcap_unload
echo "two cards OK: 16 channels x $FRAMES frames checked"

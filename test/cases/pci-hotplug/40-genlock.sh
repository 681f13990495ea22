#!/bin/sh
# 40-genlock.sh - genlock on the PCIe card: same-instant frames of its 4
# channels carry identical timestamps (300 frames each), the card reports
# genlock in its SYNC register; channels of the card without genlock
# share no timestamp (the check can fail).
# timeout: 900
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

mcap_load
mcap_qmp unplug mc1 || fail "unplug mc1"
mcap_pci_plug mc1 rp1 12 channels=4 mode=640x480p60 genlock=on
locked=$(mcap_nodes | tail -n 4)
free=$(mcap_nodes | head -n 4)
# timing ARGS... NODE...: mcap-timing at the last node's input period
timing() {
	"$MCAP_TOOLS/mcap-timing" --period-ns "$(mcap_frame_ns "$(echo "$@" | awk '{print $NF}')")" "$@"
}
grep -q 'SYNC *0x00000001' "$(mcap_card_dbg "$(echo "$locked" | head -n 1)")/registers" ||
	fail "mc1 does not report genlock"
grep -q 'SYNC *0x00000000' "$(mcap_card_dbg "$(echo "$free" | head -n 1)")/registers" ||
	fail "mc0 reports genlock"
# shellcheck disable=SC2086 # node lists
timing --frames 300 --genlock $locked || fail "genlock: timestamps differ"
# shellcheck disable=SC2086
timing --frames 120 --expect-unlocked $free || fail "free-running channels share timestamps"

mcap_qmp unplug mc1 || fail "unplug mc1 again"
mcap_pci_plug mc1 rp1 16 channels=8 mode=320x240p30
mcap_unload
echo "genlock OK"

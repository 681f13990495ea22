#!/bin/sh
# 40-genlock.sh - genlock on the PCIe card: same-instant frames of its 4
# channels carry identical timestamps (300 frames each), the card reports
# genlock in its SYNC register; channels of the card without genlock
# share no timestamp (the check can fail).
# timeout: 900
set -u
. "$MCAP_ROOT/test/cases/lib.sh"

mcap_load
mcap_qmp unplug mc1 || fail "unplug mc1"
mcap_pci_plug mc1 rp1 12 channels=4 mode=640x480p60 genlock=on
locked=$(mcap_nodes | tail -n 4)
free=$(mcap_nodes | head -n 4)
# regs NODE: the debugfs register dump of NODE's card
regs() {
	echo "/sys/kernel/debug/multicap/$(basename "$(readlink -f "/sys/class/video4linux/$(basename "$1")/device")")/registers"
}
# timing NODE...: mcap-timing at the card's true input period (G_PARM
# cannot tell 60 Hz from 59.94 Hz)
timing() {
	_r=$(regs "$(echo "$@" | awk '{print $NF}')")
	"$MCAP_TOOLS/mcap-timing" --period-ns $(($(sed -n 's/.* ch0\.IN_FRAME_NS *//p' "$_r"))) "$@"
}
grep -q 'SYNC *0x00000001' "$(regs "$(echo "$locked" | head -n 1)")" ||
	fail "mc1 does not report genlock"
grep -q 'SYNC *0x00000000' "$(regs "$(echo "$free" | head -n 1)")" ||
	fail "mc0 reports genlock"
# shellcheck disable=SC2086 # node lists
timing --frames 300 --genlock $locked || fail "genlock: timestamps differ"
# shellcheck disable=SC2086
timing --frames 120 --expect-unlocked $free || fail "free-running channels share timestamps"

mcap_qmp unplug mc1 || fail "unplug mc1 again"
mcap_pci_plug mc1 rp1 16 channels=8 mode=320x240p30
mcap_unload
echo "genlock OK"

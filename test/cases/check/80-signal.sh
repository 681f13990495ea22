#!/bin/sh
# 80-signal.sh - input signal: DV timings, source changes, frame decimation
#
# mcap-signal drives the simulated input of the first channel through the
# simulator's debugfs "mode" file: QUERY_DV_TIMINGS follows the input and
# S_DV_TIMINGS sets the format (EBUSY while buffers exist); every change
# raises V4L2_EVENT_SOURCE_CHANGE while the stream goes on with the card's
# no-signal picture; S_PARM decimates 60 Hz to 30 and 20 fps with sequence
# numbers free of decimation gaps, and timestamps spaced by exactly the
# decimated period (drops or not). Then v4l2-ctl sees the same from
# outside: --query-dv-timings and the DV_RX_POWER_PRESENT control
# ("power_present") give 640x480 and 1 with signal, no timings and 0 after
# the cable is pulled.
# Skipped (allowed, README "Skipped checks") only on a PCI boot (--bus pci):
# the input is driven through multicap_sim's debugfs, which a QEMU card
# does not have. On the simulated card a skip of mcap-signal (no node, no
# mode file) is a failure.
# timeout: 600
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

if [ "$MCAP_BUS" = pci ]; then
	echo "SKIP: the input is driven through multicap_sim's debugfs, absent on a PCI boot"
	exit 77
fi
mcap_load channels=2 mode=640x480p60
v=$(mcap_nodes | head -n 1)
[ -n "$v" ] || fail "no multicap node"
"$MCAP_TOOLS/mcap-signal" "$v"
rc=$?
[ $rc -eq 77 ] && fail "mcap-signal $v skipped (see above): not allowed on the simulated card"
[ $rc -eq 0 ] || fail "mcap-signal $v"

# The channel's input: card<C> from the parent "multicap-sim.<C>", ch<index>.
sysdir=/sys/class/video4linux/$(basename "$v")
parent=$(basename "$(readlink -f "$sysdir/device")")
mode=$MCAP_SIM_DBG/card${parent##*.}/ch$(cat "$sysdir/index")/mode
[ -w "$mode" ] || mode=$MCAP_SIM_DBG/card0/ch$(cat "$sysdir/index")/mode

# plug MODE LABEL: set the input, then show and keep what the node reports
plug() {
	echo "$1" >"$mode" || fail "write $1 to $mode"
	sleep 0.5
	dv=$(v4l2-ctl -d "$v" --query-dv-timings 2>&1)
	pp=$(v4l2-ctl -d "$v" --get-ctrl power_present 2>&1)
	echo "$2: --query-dv-timings:"
	echo "$dv"
	echo "$2: --get-ctrl: $pp"
}

plug 640x480p60 "with signal"
echo "$dv" | grep -q "Active width: 640" || fail "query-dv-timings with signal"
echo "$dv" | grep -q "Active height: 480" || fail "query-dv-timings with signal"
case $pp in
"power_present: 1" | "power_present: 0x00000001") ;;
*) fail "power_present with signal: $pp" ;;
esac

plug none "no signal"
echo "$dv" | grep -q "QUERY_DV_TIMINGS: failed: Link has been severed" ||
	fail "query-dv-timings did not fail with ENOLINK without signal"
case $pp in
"power_present: 0" | "power_present: 0x00000000") ;;
*) fail "power_present without signal: $pp" ;;
esac

echo 640x480p60 >"$mode"
mcap_unload
echo "signal OK"

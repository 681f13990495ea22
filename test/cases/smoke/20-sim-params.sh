#!/bin/sh
# 20-sim-params.sh - the simulated card: parameters and debugfs input checks
#
# Loads multicap_sim alone for a range of valid parameter combinations
# (checking the platform devices and debugfs tree it creates), and checks
# that invalid parameters and invalid debugfs writes are refused with EINVAL
# and a message, never a crash.
# timeout: 300
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

for p in "" "channels=1" "channels=16" "cards=2 channels=3" \
	 "mode=640x480p60" "mode=1280x720p60" "mode=1920x1080p30" \
	 "mode=3840x2160p30 channels=2" "cards=8 channels=16 mode=640x480p24"; do
	# shellcheck disable=SC2086
	mcap_load_sim $p || fail "valid parameters refused: $p"
	cards=$(echo "$p" | sed -n 's/.*cards=\([0-9]*\).*/\1/p')
	chans=$(echo "$p" | sed -n 's/.*channels=\([0-9]*\).*/\1/p')
	n=$(ls -d /sys/bus/platform/devices/multicap-sim.* | wc -l)
	[ "$n" -eq "${cards:-1}" ] || fail "$p: $n platform devices"
	c=$(ls -d $MCAP_SIM_DBG/card0/ch* | wc -l)
	[ "$c" -eq "${chans:-4}" ] || fail "$p: $c channels in debugfs"
	rmmod multicap_sim || fail "rmmod after $p"
	echo "ok: $p"
done

for p in "channels=0" "channels=17" "cards=0" "cards=9" "mode=" "mode=abc" \
	 "mode=641x480p60" "mode=640x480p0" "mode=640x480p121" \
	 "mode=8192x480p60" "mode=640x480" "mode=640x480p60x"; do
	# shellcheck disable=SC2086
	if insmod "$MCAP_ROOT/multicap_sim.ko" $p 2>/dev/null; then
		rmmod multicap_sim
		fail "invalid parameters accepted: $p"
	fi
	dmesg | grep -q "multicap_sim: .*invalid\|multicap_sim: .*out of range" ||
		fail "no message for $p"
	echo "refused: $p"
done

mcap_load_sim channels=2 || fail "load"
d=$MCAP_SIM_DBG/card0/ch1
[ "$(stat -c %a $d/mode)" = 600 ] || fail "mode not root-only"
[ "$(stat -c %a $d/inject)" = 200 ] || fail "inject not root-only"
[ "$(cat $d/mode)" = 1920x1080p60 ] || fail "mode reads $(cat $d/mode)"
for bad in "abc" "100x100" "1280x720p60junk" "99999x1p60" \
	   "$(head -c 100 /dev/zero | tr '\0' 1)"; do
	if printf '%s' "$bad" >$d/mode 2>/dev/null; then
		fail "mode accepted '$bad'"
	fi
done
echo 1280x720p30 >$d/mode || fail "valid mode refused"
[ "$(cat $d/mode)" = 1280x720p30 ] || fail "mode not applied"
echo none >$d/mode || fail "none refused"
[ "$(cat $d/mode)" = none ] || fail "none not applied"
for bad in "foo" "stall2" "overflowx"; do
	if printf '%s' "$bad" >$d/inject 2>/dev/null; then
		fail "inject accepted '$bad'"
	fi
done
echo overflow >$d/inject || fail "inject overflow refused"
echo desc-error >$d/inject || fail "inject desc-error refused"
echo spurious-irq >$d/inject || fail "inject spurious-irq refused"
rmmod multicap_sim || fail "rmmod"
echo "sim params OK"

#!/bin/sh
# 90-install.sh - make install / make uninstall, and udev by-path names on two cards
#
# Inside the guest (whose root is a throwaway overlay): `make install` puts
# both modules under /lib/modules/$(uname -r)/updates, after which plain
# `modprobe multicap_sim` (which pulls in nothing else: the driver is
# loaded by modprobe multicap) works; with two simulated cards every
# /dev/v4l/by-path/*-video-indexN points at channel N of its card, nodes
# are in group video, and the installed udev rule links
# /dev/multicap/cardN/chM to the same node; `make uninstall` removes the
# modules and the rule again.
# timeout: 900
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

cd "$MCAP_ROOT" || fail "cd"
make -s install KVER="$(uname -r)" >"$MCAP_CASE_OUT/install.log" 2>&1 ||
	fail "make install: $(tail -n 20 "$MCAP_CASE_OUT/install.log")"
modinfo -n multicap | grep -q "/updates/" || fail "multicap not installed under updates/"
/usr/local/bin/mcap-lowlat --help 2>&1 | grep -q "Usage: mcap-lowlat" ||
	fail "mcap-lowlat not installed in /usr/local/bin"
[ -f /usr/local/include/linux/multicap.h ] || fail "<linux/multicap.h> not installed"
modprobe multicap || fail "modprobe multicap"
modprobe multicap_sim cards=2 channels=3 mode=320x240p30 || fail "modprobe multicap_sim"
udevadm settle --timeout=30 || true

n=0
for card in 0 1; do
	for ch in 0 1 2; do
		i=0
		while ! link=$(ls /dev/v4l/by-path/*multicap-sim.$card-video-index$ch 2>/dev/null) &&
			[ $i -lt 100 ]; do
			i=$((i + 1))
			sleep 0.2
		done
		[ -n "$link" ] || fail "no by-path link for card $card channel $ch: $(ls /dev/v4l/by-path)"
		node=$(readlink -f "$link")
		idx=$(cat "/sys/class/video4linux/$(basename "$node")/index")
		parent=$(basename "$(readlink -f "/sys/class/video4linux/$(basename "$node")/device")")
		[ "$idx" = $ch ] && [ "$parent" = multicap-sim.$card ] ||
			fail "$link -> $node is channel $idx of $parent"
		[ "$(stat -c %G "$node")" = video ] || fail "$node group $(stat -c %G "$node")"
		l=/dev/multicap/card$card/ch$ch
		[ "$(readlink -f "$l")" = "$node" ] || fail "$l -> $(readlink -f "$l"), not $node"
		n=$((n + 1))
	done
done
echo "$n by-path and /dev/multicap links map to their channels"
rmmod multicap_sim && rmmod multicap || fail "rmmod"
make -s uninstall KVER="$(uname -r)" >/dev/null 2>&1 || fail "make uninstall"
if modinfo -n multicap >/dev/null 2>&1; then
	fail "multicap still installed after make uninstall"
fi
[ ! -e /etc/udev/rules.d/60-multicap.rules ] || fail "make uninstall left the udev rule"
echo "install OK"

#!/bin/sh
# 10-modules.sh - the driver and the simulated card load and unload cleanly
#
# Loads multicap and multicap_sim (4 channels), checks one video node per
# channel with driver name "multicap", bus_info platform:multicap-sim.0 and
# channel order, then unloads both (in either order) and checks the nodes go.
# timeout: 240
set -eu
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

for order in sim-first driver-first; do
	mcap_load channels=4 mode=640x480p60
	nodes=$(mcap_nodes)
	n=$(echo "$nodes" | grep -c video || true)
	[ "$n" -eq 4 ] || fail "expected 4 nodes, found $n: $nodes"
	i=0
	for v in $nodes; do
		info=$(v4l2-ctl -d "$v" --info)
		echo "$info" | grep -q "Driver name *: multicap$" || fail "$v: driver name: $info"
		echo "$info" | grep -q "Bus info *: platform:multicap-sim.0" || fail "$v: bus info"
		[ "$(cat "/sys/class/video4linux/$(basename "$v")/index")" -eq $i ] || fail "$v: index"
		i=$((i + 1))
	done
	echo "$order: 4 nodes OK"
	if [ $order = sim-first ]; then
		mcap_unload
	else
		rmmod multicap || fail "rmmod multicap with the card bound"
		[ -z "$(mcap_nodes)" ] || fail "nodes left after rmmod multicap"
		rmmod multicap_sim || fail "rmmod multicap_sim"
	fi
	[ -z "$(mcap_nodes)" ] || fail "nodes left after unload"
done
echo "modules OK"

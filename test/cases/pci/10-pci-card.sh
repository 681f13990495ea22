#!/bin/sh
# 10-pci-card.sh - the multicap PCIe card (QEMU device) as the guest sees it
#
# The card is on the PCI bus with its IDs, the driver binds to it through
# its PCI glue, its nodes have real PCI by-path names, and streaming on
# every channel is signalled by MSI-X interrupts that /proc/interrupts
# counts (one vector, at most one interrupt per frame and channel).
# timeout: 600
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

lspci -nn -d 10ee:7c10 | grep -q . || fail "no 10ee:7c10 device in lspci -nn"
lspci -nn -d 10ee:7c10
mcap_load
dev=$(basename "$(readlink -f /sys/bus/pci/drivers/multicap/0000:* 2>/dev/null | head -n 1)")
[ -n "$dev" ] || fail "multicap did not bind to the PCI card"
echo "bound: $dev"
nodes=$(mcap_nodes)
[ "$(echo "$nodes" | wc -w)" -eq 4 ] || fail "expected 4 nodes, got: $nodes"
for v in $nodes; do
	grep -q "pci:$dev\\|PCI:$dev" "/sys/class/video4linux/$(basename "$v")/uevent" 2>/dev/null ||
		v4l2-ctl -d "$v" -D | grep -qi "pci:$dev" || fail "$v: bus_info does not name $dev"
done
[ -e "/dev/v4l/by-path/pci-$dev-video-index0" ] ||
	fail "no /dev/v4l/by-path/pci-$dev-video-index0"
irqs() { grep "$dev" /proc/interrupts | awk '{s=0; for (i=2;i<=NF;i++) if ($i ~ /^[0-9]+$/) s+=$i; else break; print s}' | head -n 1; }
grep "$dev" /proc/interrupts || fail "no interrupt of $dev in /proc/interrupts"
# msi_irqs/<irq> holds "msi" or "msix"
modes=$(cat "/sys/bus/pci/devices/$dev"/msi_irqs/* 2>/dev/null)
echo "interrupt mode: $modes"
[ "$modes" = msix ] || fail "the card's interrupt is not one MSI-X vector: '$modes'"
lspci -vv -s "$dev" | grep -q "MSI-X: Enable+ Count=1" || fail "lspci: MSI-X not enabled"
i0=$(irqs)
pids=
for v in $nodes; do
	v4l2-ctl -d "$v" --stream-mmap --stream-count=30 >/dev/null 2>&1 &
	pids="$pids $!"
done
# shellcheck disable=SC2086 # a list of PIDs
mcap_wait_exit 300 $pids || fail "capture did not finish"
i1=$(irqs)
n=$((i1 - i0))
echo "MSI-X interrupts for 4 x 30 frames: $n"
[ "$n" -ge 30 ] || fail "only $n MSI-X interrupts for 120 frames"
[ "$n" -le 200 ] || fail "$n MSI-X interrupts for 120 frames (more than one per frame)"
mcap_unload
echo "pci card OK"

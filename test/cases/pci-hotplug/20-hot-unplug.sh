#!/bin/sh
# 20-hot-unplug.sh - PCIe hot-unplug of both cards while 16 channels stream
#
# Every channel streams (v4l2-ctl, MMAP buffers mapped, fd open) when QEMU
# is asked (device_del over QMP, as an operator would) to remove both cards
# from their pcie-root-ports; the guest's pciehp removes them for real.
# Every capture must end with an error, none may hang, the nodes must go,
# and the kernel log must hold no report (the runner checks). Both cards
# are then plugged back (device_add) and each of their 16 channels streams.
# timeout: 900
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

mcap_load
nodes=$(mcap_nodes)
[ "$(echo "$nodes" | wc -w)" -eq 16 ] || fail "expected 16 nodes, got: $nodes"
# shellcheck disable=SC2086 # the node list
mcap_stream_bg $nodes
pids=$MCAP_PIDS
sleep 5
for p in $pids; do
	kill -0 "$p" 2>/dev/null || fail "a capture ended before the unplug"
done
mcap_qmp unplug mc0 mc1 || fail "unplug both cards"
# shellcheck disable=SC2086 # a list of PIDs
mcap_wait_exit 30 $pids || fail "a capture still runs 30 s after both cards left"
echo "every capture ended $((MCAP_WAITED / 10)).$((MCAP_WAITED % 10)) s after the unplug"
for v in $nodes; do
	f=$MCAP_CASE_OUT/$(basename "$v").txt
	# v4l2-ctl exits 0 even then: the error is in its output
	grep -q "DQBUF: failed\|No such device" "$f" || fail "$v: the capture ended without an error"
done
[ "$(lspci -n -d 10ee:7c10 | wc -l)" -eq 0 ] || fail "a card is still in lspci"
[ -z "$(mcap_nodes)" ] || fail "nodes left after the unplug: $(mcap_nodes)"
for d in /sys/bus/pci/drivers/multicap/0000:*; do
	[ -e "$d" ] && fail "the driver still holds $(basename "$d")"
done

mcap_pci_plug mc0 rp0 8 channels=8 mode=320x240p30
mcap_pci_plug mc1 rp1 16 channels=8 mode=320x240p30
nodes=$(mcap_nodes)
echo "both cards back (the second after ${MCAP_PLUG_S} s)"
# shellcheck disable=SC2086 # the node list
"$MCAP_TOOLS/mcap-integrity" -i mmap -f YUYV -n 10 $nodes \
	>"$MCAP_CASE_OUT/replugged.txt" 2>&1 || {
	cat "$MCAP_CASE_OUT/replugged.txt"
	fail "the re-plugged cards do not stream"
}
mcap_unload
echo "hot-unplug OK"

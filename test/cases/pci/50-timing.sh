#!/bin/sh
# 50-timing.sh - check/38-timing.sh through the QEMU card: card-clock
# timestamps, FRAME_SYNC, progress events and their interrupts
# (genlock over PCIe: pci-hotplug/40-genlock.sh)
# timeout: 900
exec sh "$MCAP_ROOT/test/cases/check/38-timing.sh"

#!/bin/sh
# 10-iommu-integrity.sh - the card's DMA through QEMU's intel-iommu
#
# With intel_iommu=on iommu.strict=1 the card reaches memory only through
# the IOVAs the driver mapped (unmaps are flushed at once). The full
# integrity check (every format, memory type and padding) must pass and
# the IOMMU must not report a single DMAR fault: a correct driver never
# lets the card touch a page it has not mapped.
# timeout: 1500
set -u
. "$MCAP_ROOT/test/cases/lib.sh"

dev=$(lspci -D -n -d 10ee:7c10 | awk 'NR == 1 {print $1}')
[ -n "$dev" ] || fail "no multicap PCI card"
[ -e "/sys/bus/pci/devices/$dev/iommu_group" ] || fail "$dev is in no IOMMU group: is the IOMMU on?"
[ -e /sys/class/iommu/dmar0 ] || fail "no DMAR unit active"
echo "$dev: IOMMU group $(basename "$(readlink "/sys/bus/pci/devices/$dev/iommu_group")"), domain type $(cat "/sys/bus/pci/devices/$dev/iommu_group/type" 2>/dev/null)"
sh "$MCAP_ROOT/test/cases/check/20-integrity.sh" || fail "integrity through the IOMMU"
faults=$(dmesg | grep -c "DMAR: \[DMA ")
card=$(mcap_qmp get mc0 dma-faults)
echo "DMAR faults: $faults, card dma-faults: $card"
[ "$faults" -eq 0 ] || fail "the IOMMU reported $faults DMAR faults from a correct driver"
[ "$card" -eq 0 ] || fail "the card saw $card failed DMA writes"
echo "iommu integrity OK"

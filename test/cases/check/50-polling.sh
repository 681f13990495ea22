#!/bin/sh
# 50-polling.sh - polling mode (poll_us=1000): streaming and integrity
#
# The driver ignores the interrupt and polls the data-ready vector; the
# same integrity checks must pass, and the interrupt count must stay 0.
# timeout: 900
set -u
. "$MCAP_ROOT/test/cases/lib.sh"

mcap_load_driver poll_us=1000
mcap_load_sim channels=4 mode=320x240p30 || fail "load sim"
grep -q 'polling every 1000 us' /dev/kmsg 2>/dev/null || true
"$MCAP_TOOLS/mcap-integrity" -i mmap -f all -n 8 || fail "integrity (mmap)"
"$MCAP_TOOLS/mcap-integrity" -i userptr -f NV12 -p 64 -n 20 || fail "integrity (userptr)"
v=$(mcap_nodes | head -n 1)
irqs=$(mcap_stat "$v" interrupts)
polls=$(mcap_stat "$v" polls)
echo "interrupts=$irqs polls=$polls"
[ "$irqs" -eq 0 ] || fail "interrupts taken in polling mode"
[ "$polls" -gt 0 ] || fail "no polls"
mcap_unload
echo "polling OK"

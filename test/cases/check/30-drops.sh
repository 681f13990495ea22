#!/bin/sh
# 30-drops.sh - starving the queue: drops are visible and accounted exactly
#
# mcap-drops holds all buffers for a while, repeatedly; sequence gaps must
# equal the driver's drop counter, and no stale frame may be delivered. The
# card's own DROP_COUNT must agree with the driver's no-buffer drops.
# timeout: 600
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

mcap_load channels=2 mode=320x240p30
v=$(mcap_nodes | head -n 1)
"$MCAP_TOOLS/mcap-drops" -n 90 -H 300 "$v" || fail "mcap-drops"
drv=$(mcap_stat "$v" drops_no_buffer)
card=$(mcap_stat "$v" card_drop_count)
echo "driver drops_no_buffer=$drv card DROP_COUNT=$card"
[ "$drv" -gt 0 ] || fail "starving the queue produced no drops"
[ "$drv" -eq "$card" ] || fail "driver counted $drv no-buffer drops, the card $card"
mcap_unload
echo "drops OK"

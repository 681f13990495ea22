#!/bin/sh
# 20-fuzz-million.sh - the check group's fuzz case with 10^6 calls
#
# Same case as check/95-fuzz.sh (every ioctl on every node, capture after,
# slab back to baseline), with MCAP_FUZZ_COUNT calls (default 1000000).
# timeout: 14400
set -u
MCAP_FUZZ_COUNT=${MCAP_FUZZ_COUNT:-1000000}
export MCAP_FUZZ_COUNT
exec sh "$MCAP_ROOT/test/cases/check/95-fuzz.sh"

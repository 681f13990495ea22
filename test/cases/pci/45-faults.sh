#!/bin/sh
# 45-faults.sh - check/35-faults.sh through the QEMU card: chunk errors and
# FIFO overflows, injected over QMP
# timeout: 600
exec sh "$MCAP_ROOT/test/cases/check/35-faults.sh"

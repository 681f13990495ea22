#!/bin/sh
# 46-fault-recovery.sh - check/36-fault-recovery.sh through the QEMU card:
# every fault at once and the recovery, injected over QMP
# timeout: 900
exec sh "$MCAP_ROOT/test/cases/check/36-fault-recovery.sh"

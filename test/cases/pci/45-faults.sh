#!/bin/sh
# 45-faults.sh - check/35-faults.sh through the QEMU card: chunk errors,
# FIFO overflows and lost descriptors (desc-lost, caught only by the
# driver's bad_assembly check), injected over QMP
# timeout: 600
exec sh "$MCAP_ROOT/test/cases/check/35-faults.sh"

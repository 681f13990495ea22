#!/bin/sh
# 30-integrity.sh - check/20-integrity.sh (Tagged Lines, MMAP/USERPTR/DMABUF,
# every format, pad 0/36/4096) through the PCIe card's DMA
# timeout: 1500
exec sh "$MCAP_ROOT/test/cases/check/20-integrity.sh"

#!/bin/sh
# 20-compliance.sh - check/10-compliance.sh on the PCIe card's nodes
# timeout: 1200
exec sh "$MCAP_ROOT/test/cases/check/10-compliance.sh"

#!/bin/sh
# 40-drops.sh - check/30-drops.sh through the QEMU card: starving the queue
# makes the card drop frames, and both sides count them alike
# timeout: 600
exec sh "$MCAP_ROOT/test/cases/check/30-drops.sh"

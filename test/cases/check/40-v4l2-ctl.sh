#!/bin/sh
# 40-v4l2-ctl.sh - v4l2-ctl streaming (mmap, user pointers, read) on every node
# timeout: 600
set -u
. "$MCAP_ROOT/test/cases/lib.sh"

mcap_load channels=4 mode=640x480p60
for v in $(mcap_nodes); do
	for io in --stream-mmap --stream-user; do
		out=$(v4l2-ctl -d "$v" $io --stream-count=20 --stream-to=/dev/null 2>&1) ||
			fail "$v $io: $out"
		echo "$v $io: ok"
	done
	# read() fallback: 2 frames of 640x480 YUYV
	dd if="$v" of="$MCAP_CASE_OUT/read.raw" bs=614400 count=2 2>/dev/null ||
		fail "$v read()"
	[ "$(stat -c %s "$MCAP_CASE_OUT/read.raw")" -eq 1228800 ] || fail "$v: short read"
	echo "$v read(): ok"
done
mcap_unload
echo "v4l2-ctl OK"

#!/bin/sh
# 40-v4l2-ctl.sh - v4l2-ctl streaming (mmap, user pointers, read) on every node
#
# v4l2-ctl streams 20 frames over MMAP and USERPTR on every node. Then a
# plain read() client (dd) reads 2 frames of 640x480 YUYV with the test
# pattern "Tagged Lines": the output must be exactly 2 frames, and
# mcap-rawcheck checks every byte of them (tag, the node's channel, one
# frame number per frame, rising from frame to frame, line numbers,
# payload), so a read() that returned stale, torn or misplaced data fails.
# timeout: 600
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

mcap_load channels=4 mode=640x480p60
for v in $(mcap_nodes); do
	for io in --stream-mmap --stream-user; do
		out=$(v4l2-ctl -d "$v" $io --stream-count=20 --stream-to=/dev/null 2>&1) ||
			fail "$v $io: $out"
		echo "$v $io: ok"
	done
	# read() fallback: 2 frames of 640x480 YUYV, Tagged Lines
	v4l2-ctl -d "$v" -c test_pattern=2 || fail "$v: cannot set Tagged Lines"
	raw=$MCAP_CASE_OUT/read-$(basename "$v").raw
	dd if="$v" of="$raw" bs=614400 count=2 2>/dev/null || fail "$v read()"
	[ "$(stat -c %s "$raw")" -eq 1228800 ] || fail "$v: short read"
	"$MCAP_TOOLS/mcap-rawcheck" -n 2 "$raw" "$v" || fail "$v: read() data"
	rm -f "$raw"
	echo "$v read(): ok"
done
mcap_unload
echo "v4l2-ctl OK"

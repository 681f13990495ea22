#!/bin/sh
# 10-compliance.sh - v4l2-compliance -s -f -e on every node of a 4-channel card
#
# All four nodes are tested at once (streaming on all of them concurrently),
# each with a vivid node as DMABUF exporter (-e) so that DMABUF import
# streaming is exercised too.
# Passes when every run reports 0 warnings and no failure other than tool
# skew. Debian 12's v4l-utils 1.22 is older than the kernels we run on, and
# a few of its checks disagree with the kernel itself (format description
# strings on 6.1; the CREATE_BUFS max_num_buffers field on 6.8+). A failure
# line counts as skew only if vivid, the kernel's reference virtual driver,
# fails with the very same line in the same boot; everything else fails.
# The input runs at 15 Hz: four compliance runs at once under TCG emulation
# must not starve the card into real drops, which v4l2-compliance reports
# as sequence warnings.
# timeout: 1200
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale
out=$MCAP_CASE_OUT

# The reference: vivid's own failures under this tool/kernel pair.
modprobe vivid n_devs=4 node_types=1,1,1,1 || fail "modprobe vivid"
udevadm settle --timeout=30 || true
vivids=$(for d in /sys/class/video4linux/video*; do
	grep -q vivid "$d/name" && echo "/dev/$(basename "$d")"; done)
[ "$(echo "$vivids" | wc -l)" -eq 4 ] || fail "expected 4 vivid nodes: $vivids"
viv=$(echo "$vivids" | head -n 1)
v4l2-compliance -d "$viv" >"$out/vivid.txt" 2>&1
grep 'fail:' "$out/vivid.txt" | sed 's/^[[:space:]]*//' | sort -u >"$out/skew.txt"
echo "vivid: $(grep '^Total for' "$out/vivid.txt")"
sed 's/^/  skew: /' "$out/skew.txt"
# Exporters' buffers must hold our largest frame (1080p XBGR32 > 640x480 anything).
for e in $vivids; do
	v4l2-ctl -d "$e" --set-fmt-video=width=1920,height=1080,pixelformat=XR24 ||
		fail "vivid $e format"
done

mcap_load channels=4 mode=640x480p15
pids=
set -- $vivids
for v in $(mcap_nodes); do
	n=$(basename "$v")
	v4l2-compliance -d "$v" -s -f -e "$1" >"$out/$n.txt" 2>&1 &
	pids="$pids $!"
	shift
done
for p in $pids; do
	wait "$p"
done

bad=0
for f in "$out"/video*.txt; do
	total=$(grep '^Total for' "$f" | tail -n 1)
	echo "$(basename "$f" .txt): $total"
	[ -n "$total" ] || { echo "no totals in $f"; tail -n 30 "$f"; bad=1; continue; }
	fails=$(echo "$total" | sed -n 's/.*Failed: \([0-9]*\).*/\1/p')
	warns=$(echo "$total" | sed -n 's/.*Warnings: \([0-9]*\).*/\1/p')
	grep 'fail:' "$f" | sed 's/^[[:space:]]*//' >"$f.fails"
	skew=$(grep -cxF -f "$out/skew.txt" "$f.fails" || true)
	if [ "$fails" -ne "$skew" ] || [ "$warns" -ne 0 ]; then
		grep -vxF -f "$out/skew.txt" "$f.fails"
		grep 'warn:' "$f"
		bad=1
	fi
	[ "$skew" -eq 0 ] || echo "  ($skew failure(s) vivid shares: tool skew)"
done
if [ $bad -ne 0 ]; then
	# what the driver saw, for a failure's diagnosis
	for v in $(mcap_nodes); do
		echo "$v: $(for k in frames drops_no_buffer drops_overflow drops_chunk_error completions interrupts card_frame_count; do
			printf '%s=%s ' $k "$(mcap_stat "$v" $k)"; done)"
	done
fi
mcap_unload
modprobe -r vivid || fail "rmmod vivid"
first=$(ls "$out"/video*.txt | head -n 1)
grep -q "test DMABUF.*: OK" "$first" || fail "DMABUF import streaming was not tested"
[ $bad -eq 0 ] || fail "v4l2-compliance reported failures or warnings"
echo "compliance OK"

#!/bin/sh
# 20-record-full.sh - mcap-record ends cleanly: disk full, SIGINT, rotation
#
# On ext4 on the 64 MiB "mcapfull" disk:
# 1. two channels record until the disk is full: mcap-record must exit 3
#    with "No space left on device", and each file must still be valid:
#    ffprobe counts N >= 1 frames, as many as its sidecar lists, and they
#    are byte-exact Tagged Lines (mcap-rawcheck -n N);
# 2. SIGINT in the middle of a two-channel recording: exit 0, and each
#    file is valid and complete (no warning from ffprobe, Cues written);
# 3. rotation by size: one channel, 60 frames in files of at most 3 MB:
#    at least 2 files, each valid, whose frames add up to the 60.
# timeout: 600
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
. "$MCAP_ROOT/test/cases/egress/rec-lib.sh"
mcap_unload_stale

PATTERN="Tagged Lines"
full=$(mcap_disk mcapfull) || fail "no mcapfull disk"
mkfs.ext4 -q -F "$full" || fail "mkfs.ext4 $full"
mkdir -p /mnt/full || fail "mkdir /mnt/full"
mount "$full" /mnt/full || fail "mount $full"
tmp=/tmp/record-full
mkdir -p "$tmp"

mcap_load channels=2 mode=320x240p30
nodes=$(mcap_nodes)
[ "$(echo "$nodes" | wc -l)" -eq 2 ] || fail "expected 2 nodes, got: $nodes"

echo "== 1. two channels until the disk is full"
# shellcheck disable=SC2086 # one word per node
"$REC" -t "$PATTERN" -d 120 -o /mnt/full -P full $nodes \
	>"$MCAP_CASE_OUT/full.txt" 2>"$MCAP_CASE_OUT/full.err"
rc=$?
cat "$MCAP_CASE_OUT/full.txt" "$MCAP_CASE_OUT/full.err"
[ $rc -eq 3 ] || fail "mcap-record on a full disk: exit $rc, want 3"
grep -q "No space left on device" "$MCAP_CASE_OUT/full.err" ||
	fail "no 'No space left on device' message"
df /mnt/full | tail -n 1
for v in $nodes; do
	ch=$(cat "/sys/class/video4linux/$(basename "$v")/index")
	n=$(rec_frames "/mnt/full/full-ch$ch.csv")
	[ "$n" -ge 1 ] || fail "ch$ch: no frame kept on the full disk"
	rec_check "$v" "$n" "$tmp" "/mnt/full/full-ch$ch.mkv"
done
rm -f /mnt/full/full-*

echo "== 2. SIGINT while recording"
# shellcheck disable=SC2086 # one word per node
"$REC" -t "$PATTERN" -d 120 -o /mnt/full -P int $nodes \
	>"$MCAP_CASE_OUT/sigint.txt" 2>"$MCAP_CASE_OUT/sigint.err" &
pid=$!
sleep 3
kill -INT $pid
# bounded: -d 120 stops it anyway
wait $pid
rc=$?
cat "$MCAP_CASE_OUT/sigint.txt" "$MCAP_CASE_OUT/sigint.err"
[ $rc -eq 0 ] || fail "mcap-record exit $rc after SIGINT, want 0"
for v in $nodes; do
	ch=$(cat "/sys/class/video4linux/$(basename "$v")/index")
	f=/mnt/full/int-ch$ch.mkv
	n=$(rec_frames "${f%.mkv}.csv")
	[ "$n" -ge 1 ] || fail "ch$ch: no frame recorded before SIGINT"
	grep -q "^ch$ch $v: $n frames" "$MCAP_CASE_OUT/sigint.txt" ||
		fail "ch$ch: summary does not say $n frames"
	w=$(ffprobe -v warning -count_frames -show_entries stream=nb_read_frames \
		-of csv=p=0 "$f" 2>&1 >/dev/null)
	[ -z "$w" ] || fail "$f: ffprobe warns after a clean stop: $w"
	# Cues (ID 1c53bb6b) in the last block, as a clean close writes them
	tail -c 4096 "$f" | od -An -tx1 | tr -d ' \n' | grep -q 1c53bb6b ||
		fail "$f: no Cues at the end after a clean stop"
	rec_check "$v" "$n" "$tmp" "$f"
done
rm -f /mnt/full/int-*

echo "== 3. rotation by size"
v=${nodes%%
*}
ch=$(cat "/sys/class/video4linux/$(basename "$v")/index")
"$REC" -t "$PATTERN" -n 60 -d 60 --rotate-size 3 -o /mnt/full -P rot "$v" ||
	fail "mcap-record --rotate-size exit $?"
set -- /mnt/full/rot-ch"$ch"-*.mkv
echo "$# files: $*"
[ $# -ge 2 ] || fail "rotation by 3 MB of 60 frames (9.6 MB) made $# file(s)"
for f in "$@"; do
	size=$(stat -c %s "$f")
	[ "$size" -le 3000000 ] || fail "$f: $size bytes, over the 3 MB rotation size"
done
rec_check "$v" 60 "$tmp" "$@"

mcap_unload
rm -rf "$tmp" /mnt/full/rot-*
umount /mnt/full || fail "umount /mnt/full"
echo "record-full OK"

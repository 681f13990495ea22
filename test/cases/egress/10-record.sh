#!/bin/sh
# 10-record.sh - mcap-record: 4 channels to ext4 with O_DIRECT, every byte
#
# Records 4 channels x 300 frames (320x240p30, YUYV, Tagged Lines, MMAP) to
# ext4 on the "mcaprec" disk. For each channel: ffprobe counts the frames
# the sidecar lists, FFmpeg's rawvideo copy of the stream is byte-exact
# Tagged Lines (mcap-rawcheck), packet times are the buffer timestamps, and
# the sidecar's sequence gaps equal the driver's drop counters. The page
# cache must not grow by more than 8 MiB while 184 MB go to disk (O_DIRECT
# bypasses it). Then 1 channel x 100 frames over USERPTR, checked alike;
# GStreamer's matroskademux must give every frame of a recording; and one
# channel recorded onto the raw "mcapfull" device reads back the same,
# straight from the device.
# timeout: 900
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
. "$MCAP_ROOT/test/cases/egress/rec-lib.sh"
mcap_unload_stale

FRAMES=300
PATTERN="Tagged Lines"
rec=$(mcap_disk mcaprec) || fail "no mcaprec disk"
raw=$(mcap_disk mcapfull) || fail "no mcapfull disk"
mkfs.ext4 -q -F "$rec" || fail "mkfs.ext4 $rec"
mkdir -p /mnt/rec || fail "mkdir /mnt/rec"
mount "$rec" /mnt/rec || fail "mount $rec"
dir=/mnt/rec/r
mkdir -p "$dir"

mcap_load channels=4 mode=320x240p30
nodes=$(mcap_nodes)
[ "$(echo "$nodes" | wc -l)" -eq 4 ] || fail "expected 4 nodes, got: $nodes"

# cached page-cache pages: Cached + Dirty (kB)
cache_kb() {
	awk '/^(Cached|Dirty):/ { s += $2 } END { print s }' /proc/meminfo
}

# drop counters before, to compare with the gaps of this recording
for v in $nodes; do
	eval "d0_$(basename "$v")=$(rec_drops "$v")"
done

echo "== 4 channels x $FRAMES frames, MMAP, O_DIRECT"
sync
c0=$(cache_kb)
# shellcheck disable=SC2086 # one word per node
"$REC" -t "$PATTERN" -n $FRAMES -d 120 -o "$dir" -P r4 -p $nodes \
	>"$MCAP_CASE_OUT/record4.txt" 2>"$MCAP_CASE_OUT/record4.err"
rc=$?
c1=$(cache_kb)
[ $rc -eq 0 ] || { cat "$MCAP_CASE_OUT/record4.err"; fail "mcap-record (4 channels) exit $rc"; }
cat "$MCAP_CASE_OUT/record4.txt"
growth=$(((c1 - c0) / 1024))
echo "page cache: ${c0} kB before, ${c1} kB after: ${growth} MiB"
[ "$growth" -le 8 ] || fail "page cache grew by $growth MiB while recording with O_DIRECT"

for v in $nodes; do
	ch=$(cat "/sys/class/video4linux/$(basename "$v")/index")
	f=$dir/r4-ch$ch.mkv
	rec_check "$v" $FRAMES /mnt/rec "$f"
	gaps=$(rec_gaps "${f%.mkv}.csv")
	eval "d0=\$d0_$(basename "$v")"
	# shellcheck disable=SC2154 # d0 is set by the eval above
	drops=$(($(rec_drops "$v") - d0))
	echo "ch$ch: sidecar gaps $gaps, driver drops $drops"
	[ "$gaps" = "$drops" ] || fail "ch$ch: $gaps sequence gaps in the sidecar, the driver dropped $drops"
	grep -q "^# driver: frames=[0-9]* drops=$drops " "${f%.mkv}.csv" ||
		fail "ch$ch: sidecar's driver line disagrees: $(grep '^# driver' "${f%.mkv}.csv")"
done

echo "== GStreamer matroskademux"
f=$dir/r4-ch$(cat "/sys/class/video4linux/$(basename "${nodes%%
*}")/index").mkv
n=$(rec_gst_frames "$f")
echo "$f: GStreamer gave $n buffers"
[ "$n" = "$FRAMES" ] || fail "GStreamer's matroskademux gave $n frames of $f, want $FRAMES"

echo "== 1 channel x 100 frames, USERPTR"
v=${nodes%%
*}
ch=$(cat "/sys/class/video4linux/$(basename "$v")/index")
d0=$(rec_drops "$v")
"$REC" -t "$PATTERN" -i userptr -n 100 -d 60 -o "$dir" -P up "$v" ||
	fail "mcap-record -i userptr exit $?"
rec_check "$v" 100 /mnt/rec "$dir/up-ch$ch.mkv"
gaps=$(rec_gaps "$dir/up-ch$ch.csv")
drops=$(($(rec_drops "$v") - d0))
[ "$gaps" = "$drops" ] || fail "USERPTR: $gaps sequence gaps in the sidecar, the driver dropped $drops"

echo "== 1 channel x 60 frames onto the raw device $raw"
d0=$(rec_drops "$v")
"$REC" -t "$PATTERN" -n 60 -d 60 --raw-device "$raw" -o "$dir" -P raw "$v" ||
	fail "mcap-record --raw-device exit $?"
# the device itself, under the name rec_check gives the sidecar
ln -s "$raw" "$dir/raw-ch$ch.mkv"
rec_check "$v" 60 /mnt/rec "$dir/raw-ch$ch.mkv"
grep -q '^0,[0-9]*,[0-9]*,1024,' "$dir/raw-ch$ch.csv" ||
	fail "raw device: first frame not at offset 1024 (512-byte blocks): $(sed -n 4p "$dir/raw-ch$ch.csv")"

mcap_unload
rm -rf "$dir"
umount /mnt/rec || fail "umount /mnt/rec"
echo "record OK"

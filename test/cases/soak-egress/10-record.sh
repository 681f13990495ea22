#!/bin/sh
# 10-record.sh - a long recording: flat memory, every missing frame counted
#
# mcap-record records 4 channels of 320x240p30 YUYV (18.4 MB/s, O_DIRECT
# through io_uring) for MCAP_SOAK_SECONDS (default 1800; `make soak
# SOAK_SECONDS=N`) to ext4 on the "mcaprec" disk (8 GiB), rotating every
# 200 MB; a cleaner deletes each channel's finished files, keeping their
# sidecars, so hours fit on the disk. Sampled every minute: the recorder's
# RSS, Slab, free pages, the page cache (Cached + Dirty). Pass: mcap-record
# exits 0; per channel, the sidecars' sequence gaps equal the driver's drop
# counters over the recording (no frame lost that the driver did not
# count) and frames + gaps = the sequence span; the last file of each
# channel is valid (ffprobe counts its sidecar's frames); from the first
# sample after 2 minutes to the end the recorder's RSS grows by at most
# 1 MiB, Slab by at most 4 MiB, the page cache by at most 16 MiB (O_DIRECT:
# the recordings pass it by; the sidecars, written through it, add about
# 0.3 MB a minute) and free pages fall by at most 16 MiB more than the
# page cache grew.
# timeout: 14400
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
. "$MCAP_ROOT/test/cases/egress/rec-lib.sh"
mcap_unload_stale

SECS=${MCAP_SOAK_SECONDS:-1800}
rec=$(mcap_disk mcaprec) || fail "no mcaprec disk"
mkfs.ext4 -q -F "$rec" || fail "mkfs.ext4 $rec"
mkdir -p /mnt/soak && mount "$rec" /mnt/soak || fail "mount $rec"
dir=/mnt/soak/r
mkdir -p "$dir"
OUT=$MCAP_CASE_OUT

mcap_load channels=4 mode=320x240p30
nodes=$(mcap_nodes)
for v in $nodes; do
	eval "d0_$(basename "$v")=$(rec_drops "$v")"
done

# shellcheck disable=SC2086 # one word per node
"$REC" -f YUYV -d "$SECS" --rotate-size 200 -o "$dir" $nodes \
	>"$OUT/record.txt" 2>"$OUT/record.err" &
pid=$!

# every channel's finished files (all but its newest .mkv) go; sidecars stay
clean() {
	for _c in 0 1 2 3; do
		# shellcheck disable=SC2012 # names are rec-chN-NNNN.mkv
		ls "$dir"/rec-ch$_c-*.mkv 2>/dev/null | sort | sed '$d' | xargs -r rm -f
	done
}
mem() {
	_rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
	echo "rss ${_rss:-0} slab $(awk '/^Slab:/ {print $2}' /proc/meminfo)" \
	     "free $(($(awk '/^MemFree:/ {print $2}' /proc/meminfo) +
		$(awk '/^ *count:/ {n += $2} END {print n * 4}' /proc/zoneinfo)))" \
	     "cache $(awk '/^(Cached|Dirty):/ {s += $2} END {print s}' /proc/meminfo)"
}
start=$(date +%s)
next=60
first='' last=''
while kill -0 $pid 2>/dev/null; do
	sleep 10
	clean
	t=$(($(date +%s) - start))
	[ $t -ge $next ] || continue
	next=$((next + 60))
	kill -0 $pid 2>/dev/null || break
	last=$(mem)
	echo "t=${t}s $last $(df -m --output=used /mnt/soak | tail -n 1) MB used" >>"$OUT/memory.txt"
	[ -n "$first" ] || [ $t -lt 120 ] || first=$last
done
wait $pid
rc=$?
cat "$OUT/record.txt" "$OUT/record.err" | tail -n 12
tail -n 3 "$OUT/memory.txt"
[ $rc -eq 0 ] || fail "mcap-record exit $rc"

for v in $nodes; do
	ch=$(cat "/sys/class/video4linux/$(basename "$v")/index")
	eval "d0=\$d0_$(basename "$v")"
	# shellcheck disable=SC2154 # d0 is set by the eval above
	drops=$(($(rec_drops "$v") - d0))
	csvs=$(ls "$dir"/rec-ch$ch-*.csv | sort)
	# shellcheck disable=SC2086 # one word per sidecar
	frames=$(cat $csvs | grep -c '^[0-9]')
	# shellcheck disable=SC2086
	gaps=$(rec_gaps $csvs)
	# shellcheck disable=SC2086
	span=$(cat $csvs | awk -F, '/^[0-9]/ { if (!n++) f = $2; l = $2 } END { print l - f + 1 }')
	first_seq=$(cat $csvs | awk -F, '/^[0-9]/ { print $2; exit }')
	echo "ch$ch: $(echo "$csvs" | wc -l) files, $frames frames, sequence gaps $gaps (first $first_seq), driver drops $drops"
	[ $((frames + gaps - first_seq)) -eq "$span" ] ||
		fail "ch$ch: $frames frames + $gaps gaps do not span $span sequence numbers"
	[ "$gaps" -eq "$drops" ] || fail "ch$ch: $gaps frames missing, the driver counted $drops"
	lastf=$(ls "$dir"/rec-ch$ch-*.mkv | sort | tail -n 1)
	n=$(rec_frames "${lastf%.mkv}.csv")
	p=$(rec_probe "$lastf" /dev/null)
	[ "${p%% *}" = "$n" ] || fail "$lastf: ffprobe counts ${p%% *} frames, its sidecar $n"
done

[ -n "$first" ] || fail "the recording ended before the 2-minute sample"
# shellcheck disable=SC2086 # "rss N slab N free N cache N"
set -- $first
rss0=$2 slab0=$4 free0=$6 cache0=$8
# shellcheck disable=SC2086
set -- $last
echo "from t=120s to the end: RSS $(($2 - rss0)) kB, Slab $(($4 - slab0)) kB, free pages $(($6 - free0)) kB, page cache $(($8 - cache0)) kB"
[ $(($2 - rss0)) -le 1024 ] || fail "mcap-record's RSS grew by $(($2 - rss0)) kB"
[ $(($4 - slab0)) -le 4096 ] || fail "Slab grew by $(($4 - slab0)) kB"
[ $((free0 - $6 - ($8 - cache0))) -le 16384 ] ||
	fail "free pages fell by $((free0 - $6)) kB, the page cache grew by $(($8 - cache0)) kB"
[ $(($8 - cache0)) -le 16384 ] || fail "the page cache grew by $(($8 - cache0)) kB"
mcap_unload
umount /mnt/soak
echo "recording soak of ${SECS}s OK"

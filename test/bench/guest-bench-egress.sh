#!/bin/sh
# guest-bench-egress.sh - recording to disk and streaming to the network,
#                         in the test VM that run-bench.sh boots with --egress
#
# The simulated card runs with nofill=1 (it writes no pixels), so what is
# measured is the egress path, not the card's fill. CPU is the machine's
# busy time (/proc/stat: every CPU, all but idle and iowait) during a run,
# less what capturing the same frames costs without egress (a capture-only
# run of the same load, per frame), per GB written or sent; the sender's
# own CPU (rusage) too. Scenarios, group "egress":
#   disk-raw       fio: O_DIRECT io_uring sequential writes of frame-sized
#                  blocks, 8 files at queue depth 4 (as the recorder: 8
#                  channels), on the same ext4: the disk's bandwidth here
#   rec-max        mcap-record, 8 x 1920x1080p60: more than the disk takes,
#                  so the recorder is disk-bound (MB/s vs disk-raw)
#   cap-only-*     mcap-capture of the loads below: capture's CPU per frame
#   rec-cost       mcap-record, 4 x 1280x720p30 (221 MB/s), DUR seconds:
#                  CPU per GB, page-cache growth (Cached + Dirty)
#   rec-copy       the same with --copy (write() through the page cache)
#   send-zc        mcap-send --rtp, 2 x 640x480p30 UYVY, from mcaptx to a
#                  sink in mcaprx over the virtio NIC pair: CPU per GB,
#                  zerocopy and copied completions (the sink's own CPU is
#                  taken out of the machine's busy time)
#   send-copy      the same with --copy
#   tcp-zc         mcap-send --tcp-listen, the same load, raw frames over TCP
#                  to a sink that connects from mcaprx (its CPU included)
#   tcp-copy       the same with --copy
# Each writes RES/json/egress--NAME.json; RES/egress-*.txt hold the tools'
# output.
# word splitting of $(mcap_nodes) is wanted
# shellcheck disable=SC2046,SC2086,SC1091
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
. "$MCAP_ROOT/test/bench/bench-lib.sh"

REC=$MCAP_USER_TOOLS/mcap-record
SEND=$MCAP_USER_TOOLS/mcap-send
MNT=/mnt/egress
DUR=$MID

# busy: the machine's busy jiffies (all CPUs, without idle and iowait)
busy() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

# ticks PID: the process's CPU time (user + system), in clock ticks
ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# cache_kb: page cache plus dirty pages, kB
cache_kb() {
	awk '/^(Cached|Dirty):/ { s += $2 } END { print s }' /proc/meminfo
}

# load MODE N: the driver and N channels of MODE without fill
load() {
	mcap_unload
	mcap_load channels=$2 mode=$1 nofill=1 || { say "egress: load $1 x $2 failed"; rc=1; }
	udevadm settle --timeout=30 2>/dev/null || true
}

# measure NAME CMD...: run CMD (its output in RES/egress-NAME.txt); sets
# M_BUSY (CPU s, machine), M_SELF (CPU s, CMD and its children), M_CACHE
# (kB of page-cache growth), M_SECS
measure() {
	_name=$1
	shift
	sync
	echo 3 >/proc/sys/vm/drop_caches
	_c0=$(cache_kb) _b0=$(busy) _t0=$(date +%s.%N)
	/usr/bin/time -f "self %U %S" -o "$RES/egress-$_name.time" "$@" \
		>"$RES/egress-$_name.txt" 2>&1
	_r=$?
	sync
	_b1=$(busy) _t1=$(date +%s.%N) _c1=$(cache_kb)
	_hz=$(getconf CLK_TCK)
	M_BUSY=$(echo "$_b0 $_b1 $_hz" | awk '{ printf "%.3f", ($2 - $1) / $3 }')
	M_SECS=$(echo "$_t0 $_t1" | awk '{ printf "%.3f", $2 - $1 }')
	M_SELF=$(awk '/^self/ { printf "%.3f", $2 + $3 }' "$RES/egress-$_name.time")
	M_CACHE=$((_c1 - _c0))
	cat "$RES/egress-$_name.txt" "$RES/egress-$_name.time" >>"$LOG"
	return $_r
}

# json NAME KEY=VALUE...: RES/json/egress--NAME.json (values are numbers)
json() {
	_f=$J/egress--$1.json
	shift
	echo "$@" | awk '{ printf "{"; for (i = 1; i <= NF; i++) { split($i, kv, "=");
		printf "%s\"%s\": %s", (i > 1 ? ", " : ""), kv[1], (kv[2] == "" ? "null" : kv[2]) }
		print "}" }' >"$_f"
	say "egress: $(basename "$_f" .json): $(cat "$_f")"
}

# rec_total FILE: bytes and frames over every channel of a recorder summary
rec_total() {
	awk '/^ch[0-9]+ .*frames, .* bytes/ { f += $3; b += $5 } END { printf "%d %.0f", f, b }' "$1"
}

dmesg -n 1
say "egress: guest $(uname -r), $(nproc) CPUs"
disk=$(mcap_disk mcaprec)
mkfs.ext4 -q -F "$disk" && mkdir -p $MNT && mount "$disk" $MNT ||
	{ say "egress: no disk"; exit 1; }

# ---- the disk's own O_DIRECT bandwidth ----------------------------------
say "egress: disk-raw (fio)"
# a frame with its Matroska header, rounded to 4 KiB, as the recorder writes
BS=$((TBYTES + 8192))
fio --name=raw --directory=$MNT --filename_format=fio.bin.\$jobnum --rw=write --bs=$BS --ioengine=io_uring \
	--direct=1 --iodepth=4 --numjobs=8 --group_reporting --size=$((BS * 120)) --output-format=json \
	>"$RES/egress-fio.json" 2>>"$LOG" || rc=1
fio_mbs=$(python3 -c 'import json, sys
j = json.load(open(sys.argv[1])); print("%.1f" % (j["jobs"][0]["write"]["bw_bytes"] / 1e6))' \
	"$RES/egress-fio.json" 2>>"$LOG")
rm -f $MNT/fio.bin*
json disk-raw mb_per_s=$fio_mbs block=$BS depth=4 files=8

# ---- recorder throughput: more frames than the disk takes ----------------
say "egress: rec-max (8 x $TMODE, no fill)"
load $TMODE 8
measure rec-max "$REC" -o $MNT -P max -b 6 -n 120 $(mcap_nodes)
set -- $(rec_total "$RES/egress-rec-max.txt")
json rec-max mb_per_s=$(echo "$2 $M_SECS" | awk '{ printf "%.1f", $1 / $2 / 1e6 }') \
	frames=$1 bytes=$2 secs=$M_SECS \
	recorder_mb_per_s=$(awk '/^ch[0-9]+ .*MB\/s/ { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^MB\/s/) s += $i }
		END { printf "%.1f", s }' "$RES/egress-rec-max.txt")
rm -f $MNT/max-*

# ---- recorder cost: the same load written with O_DIRECT, then --copy ------
CMODE=1280x720p30
load $CMODE 4
say "egress: cap-only-rec (4 x $CMODE)"
measure cap-only-rec "$CAP" -d $DUR -b 8 $(mcap_nodes)
cap_frames=$(awk '/^ch[0-9]/ && /frames/ { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^frames/) f += $i } END { print f + 0 }' \
	"$RES/egress-cap-only-rec.txt")
cap_cpf=$(echo "$M_BUSY $cap_frames" | awk '{ printf "%.6f", $2 ? $1 / $2 : 0 }')
json cap-only-rec busy_s=$M_BUSY frames=$cap_frames busy_per_frame=$cap_cpf
for m in rec-cost rec-copy; do
	say "egress: $m (4 x $CMODE, $DUR s)"
	extra=
	[ $m = rec-copy ] && extra=--copy
	measure $m "$REC" $extra -o $MNT -P $m -b 8 -d $DUR $(mcap_nodes) || rc=1
	set -- $(rec_total "$RES/egress-$m.txt")
	json $m frames=$1 bytes=$2 secs=$M_SECS busy_s=$M_BUSY self_s=$M_SELF cache_kb=$M_CACHE \
		net_cpu_s_per_gb=$(echo "$M_BUSY $1 $cap_cpf $2" |
			awk '{ printf "%.3f", $4 ? ($1 - $2 * $3) / ($4 / 1e9) : 0 }') \
		self_cpu_s_per_gb=$(echo "$M_SELF $2" | awk '{ printf "%.3f", $2 ? $1 / ($2 / 1e9) : 0 }')
	rm -f $MNT/$m-*
done
umount $MNT

# ---- sender cost: RTP with MSG_ZEROCOPY, then --copy ----------------------
SMODE=640x480p30
load $SMODE 2
mcap_netpair
say "egress: cap-only-send (2 x $SMODE)"
measure cap-only-send "$CAP" -d $DUR -b 8 -f UYVY $(mcap_nodes)
cap_frames=$(awk '/^ch[0-9]/ && /frames/ { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^frames/) f += $i } END { print f + 0 }' \
	"$RES/egress-cap-only-send.txt")
cap_cpf=$(echo "$M_BUSY $cap_frames" | awk '{ printf "%.6f", $2 ? $1 / $2 : 0 }')
json cap-only-send busy_s=$M_BUSY frames=$cap_frames busy_per_frame=$cap_cpf
# the receiving end: a socket per channel that reads and discards
ip netns exec mcaprx python3 -c '
import selectors, socket
sel = selectors.DefaultSelector()
for p in (5004, 5006):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("10.77.0.2", p))
    sel.register(s, selectors.EVENT_READ)
while True:
    for k, _ in sel.select():
        k.fileobj.recv(65536)' &
sink=$!
sleep 1
for m in send-zc send-copy; do
	say "egress: $m (2 x $SMODE UYVY, RTP, $DUR s)"
	extra=
	[ $m = send-copy ] && extra=--copy
	s0=$(ticks $sink)
	measure $m ip netns exec mcaptx "$SEND" $extra --rtp 10.77.0.2:5004 -f UYVY -d $DUR $(mcap_nodes) || rc=1
	# the sink's CPU is the receiver's, not the sender's
	M_BUSY=$(echo "$M_BUSY $s0 $(ticks $sink) $(getconf CLK_TCK)" | awk '{ printf "%.3f", $1 - ($3 - $2) / $4 }')
	set -- $(sed -n 's/^total: .* frames=\([0-9]*\) .* bytes=\([0-9]*\) .* zc=\([0-9]*\) zc_copied=\([0-9]*\).*/\1 \2 \3 \4/p' \
		"$RES/egress-$m.txt")
	json $m frames=${1:-0} bytes=${2:-0} zc=${3:-0} copied=${4:-0} secs=$M_SECS busy_s=$M_BUSY self_s=$M_SELF \
		cache_kb=$M_CACHE \
		net_cpu_s_per_gb=$(echo "$M_BUSY ${1:-0} $cap_cpf ${2:-0}" |
			awk '{ printf "%.3f", $4 ? ($1 - $2 * $3) / ($4 / 1e9) : 0 }') \
		self_cpu_s_per_gb=$(echo "$M_SELF ${2:-0}" | awk '{ printf "%.3f", $2 ? $1 / ($2 / 1e9) : 0 }')
done
kill $sink 2>/dev/null
wait $sink 2>/dev/null
# raw frames over TCP: page-sized fragments instead of a header and a line
# slice per packet; mcap-send listens, the sink connects per channel
for m in tcp-zc tcp-copy; do
	say "egress: $m (2 x $SMODE UYVY, TCP, $DUR s)"
	extra=
	[ $m = tcp-copy ] && extra=--copy
	ip netns exec mcaptx "$SEND" --help >/dev/null 2>&1 || break
	(sleep 2; ip netns exec mcaprx python3 -c '
import selectors, socket, time
sel = selectors.DefaultSelector()
for p in (6000, 6001):
    for _ in range(50):
        try:
            s = socket.create_connection(("10.77.0.1", p)); break
        except OSError:
            time.sleep(0.1)
    sel.register(s, selectors.EVENT_READ)
left = 2
while left:
    for k, _ in sel.select():
        if not k.fileobj.recv(1 << 20):
            sel.unregister(k.fileobj); left -= 1') &
	sink=$!
	measure $m ip netns exec mcaptx "$SEND" $extra --tcp-listen 10.77.0.1:6000 -f UYVY -d $DUR $(mcap_nodes) || rc=1
	wait $sink
	set -- $(sed -n 's/^total: .* frames=\([0-9]*\) .* bytes=\([0-9]*\) .* zc=\([0-9]*\) zc_copied=\([0-9]*\).*/\1 \2 \3 \4/p' \
		"$RES/egress-$m.txt")
	json $m frames=${1:-0} bytes=${2:-0} zc=${3:-0} copied=${4:-0} secs=$M_SECS busy_s=$M_BUSY self_s=$M_SELF \
		cache_kb=$M_CACHE \
		net_cpu_s_per_gb=$(echo "$M_BUSY ${1:-0} $cap_cpf ${2:-0}" |
			awk '{ printf "%.3f", $4 ? ($1 - $2 * $3) / ($4 / 1e9) : 0 }') \
		self_cpu_s_per_gb=$(echo "$M_SELF ${2:-0}" | awk '{ printf "%.3f", $2 ? $1 / ($2 / 1e9) : 0 }')
done
mcap_unload
say "egress: done (rc $rc)"
echo $rc >"$RES/bench-egress.rc"

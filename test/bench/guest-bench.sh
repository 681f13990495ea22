#!/bin/sh
# guest-bench.sh - the benchmark scenarios, inside the test VM (run-bench.sh)
#
# Environment: MCAP_ROOT, MCAP_RESULTS (results folder shared with the host),
# MCAP_BENCH_QUICK=1 (shorter runs, for trying the harness out).
# Every capture run writes RESULTS/json/GROUP--NAME.json (mcap-capture -j)
# and RESULTS/json/GROUP--NAME.params (the scenario's parameters, key=value);
# RESULTS/bench.log gets every tool's output, RESULTS/progress.log one line
# per step (the host shows it), RESULTS/bench.rc the exit status (0: every
# scenario ran; drops are results, not failures).
# word splitting of $(mcap_nodes) and of the numeric loop variables is wanted
# shellcheck disable=SC2046,SC2086,SC1091
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
. "$MCAP_ROOT/test/bench/bench-lib.sh"
: >"$LOG"
: >"$PROG"

# (re)load: load DRIVER-PARAMS -- SIM-PARAMS
load() {
	_dp=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		_dp="$_dp $1"
		shift
	done
	[ $# -gt 0 ] && shift
	mcap_unload
	# shellcheck disable=SC2086
	mcap_load_driver $_dp
	mcap_load_sim "$@" || fail "insmod multicap_sim.ko $*"
}

dmesg -n 1
say "guest $(uname -r), $(nproc) CPUs, quick=${MCAP_BENCH_QUICK:-0}"

# ---- reference: memcpy of frames, idle machine --------------------------
say "memcpy reference"
memcpy_ref memcpy
s0=$(awk '/^cpu /{print $5 + $6}' /proc/stat)
sleep 3
s1=$(awk '/^cpu /{print $5 + $6}' /proc/stat)
echo "{\"label\": \"idle\", \"seconds\": 3, \"idle_ticks\": $((s1 - s0)), \"hz\": $(getconf CLK_TCK), \"ncpus\": $(nproc)}" \
	>"$J/idle--3s.json"

# ---- sustained throughput: the largest load (channels x mode), 0 drops ---
# For each mode, add channels until a short run drops; then confirm the
# loads that did not drop, largest MB/s first, for LONG seconds each until
# one has 0 drops.
say "throughput search"
: >"$RES/good.txt"
for bm in 1920x1080p60 3840x2160p30; do
	# at most ~400 MB of buffers (8 x 16.6 MB a 2160p channel)
	nmax=6
	[ $bm = 3840x2160p30 ] && nmax=3
	for bn in $(seq 1 $nmax); do
		load -- channels=$bn mode=$bm
		cap search $bn-$bm "channels=$bn mode=$bm" -d $SHORT -W $WARM -b $BUFS $(mcap_nodes)
		[ "$(drops_of search--$bn-$bm)" = 0 ] || break
		echo "$(mbs_of search--$bn-$bm) $bn $bm" >>"$RES/good.txt"
	done
done
sort -rn "$RES/good.txt" | head -n 3 >"$RES/try.txt"
[ -s "$RES/try.txt" ] || echo "0 1 1280x720p60" >"$RES/try.txt"
while read -r _ bn bm <&3; do
	load -- channels=$bn mode=$bm
	cap sustained $bn-$bm "channels=$bn mode=$bm" -d $LONG -W $WARM -b $BUFS $(mcap_nodes)
	[ "$(drops_of sustained--$bn-$bm)" = 0 ] && break
done 3<"$RES/try.txt"

# ---- latency per mode, 1 channel; MMAP vs read() at TMODE ---------------
for bm in 640x480p60 1280x720p60 1920x1080p60 3840x2160p30; do
	load -- channels=1 mode=$bm
	cap latency $bm "channels=1 mode=$bm" -d $MID -W $WARM -b $BUFS $(mcap_nodes)
	if [ $bm = $TMODE ]; then
		cap io read "channels=1 mode=$bm io=read" -d $MID -W $WARM -b $BUFS -i read $(mcap_nodes)
	fi
done

# ---- frame timing against the VM's floor, 1 x TMODE ---------------------
load -- channels=1 mode=$TMODE
timing_bench timing "$(mcap_nodes | head -n 1)"

# ---- zero copy: no-fill, same lines, 6x the bytes per line --------------
for bm in 640x480p60 3840x480p60; do
	load -- channels=1 mode=$bm nofill=1
	cap zerocopy $bm "channels=1 mode=$bm nofill=1" -d $MID -W $WARM -b $BUFS $(mcap_nodes)
done

# ---- polling against interrupts, same load ------------------------------
for pu in 0 1000; do
	load poll_us=$pu -- channels=4 mode=1280x720p60
	cap poll us$pu "channels=4 mode=1280x720p60 poll_us=$pu" -d $MID -W $WARM -b $BUFS $(mcap_nodes)
done

# ---- interrupt load: lines per chunk x channels (no fill) ---------------
for lpc in 1 4 16 64; do
	for bn in 1 4 16; do
		load lines_per_chunk=$lpc -- channels=$bn mode=320x240p30 nofill=1
		cap irq lpc${lpc}-ch$bn "lpc=$lpc channels=$bn mode=320x240p30 nofill=1" \
			-d $SHORT -W 1 -b $BUFS $(mcap_nodes)
	done
done

# ---- scaling: channels and cards, CPU per channel -----------------------
for bn in 1 4 8 16; do
	load -- channels=$bn mode=640x480p30
	cap scaling c1-ch$bn "cards=1 channels=$bn mode=640x480p30" -d $MID -W $WARM -b $BUFS $(mcap_nodes)
done
load -- cards=2 channels=8 mode=640x480p30
cap scaling c2-ch16 "cards=2 channels=16 mode=640x480p30" -d $MID -W $WARM -b $BUFS $(mcap_nodes)
mcap_unload

# ---- vivid at TMODE, the reference virtual device -----------------------
say "vivid"
if modprobe vivid n_devs=1 node_types=0x1 num_inputs=1 input_types=0x3 >>"$LOG" 2>&1; then
	udevadm settle --timeout=30 2>/dev/null || true
	v=
	for d in /sys/class/video4linux/video*; do
		case "$(cat "$d/name")" in *vivid*vid-cap*) v=/dev/$(basename "$d"); break ;; esac
	done
	# the only input is HDMI (input_types=0x3); CEA-861 1920x1080p60
	if [ -n "$v" ] && v4l2-ctl -d "$v" -i 0 >>"$LOG" 2>&1 &&
	   v4l2-ctl -d "$v" --set-dv-bt-timings width=1920,height=1080,interlaced=0,pixelclock=148500000,hfp=88,hs=44,hbp=148,vfp=4,vs=5,vbp=36,polarities=3 >>"$LOG" 2>&1; then
		cap vivid $TMODE "channels=1 mode=$TMODE driver=vivid" -d $MID -W $WARM -b $BUFS "$v"
	else
		say "vivid: no HDMI capture node at $TMODE"
		rc=1
	fi
	modprobe -r vivid
else
	say "vivid: modprobe failed"
	rc=1
fi

say "done (rc $rc)"
echo $rc >"$RES/bench.rc"

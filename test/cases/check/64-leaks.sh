#!/bin/sh
# 64-leaks.sh - slab and page counts return to baseline after cycles of
# load / stream (MMAP, USERPTR, DMABUF, read) / unload
#
# One warm-up cycle first (the first load fills caches for good: module
# loader, sysfs, kernfs), then a baseline, CYCLES more cycles, and the
# same measurement again: Slab and MemFree from /proc/meminfo and the number
# of active slab objects from /proc/slabinfo, each after dropping the page
# cache and shrinking every slab cache. MemFree moves by tens of MB between
# identical samples (pages parked on per-CPU lists), so the cycles use
# 1280x720 frames: one cycle maps about 30 MB of buffers, and leaking them
# would cost 150 MB over CYCLES, far above the limit. Within each cycle the
# simulated card's count of live DMA mappings must be back to its value
# after load once every file is closed: a leaked mapping is caught exactly.
# timeout: 900
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

CYCLES=5
SLAB_LIMIT_KB=768	# growth of Slab over all cycles
FREE_LIMIT_KB=8192	# drop of free pages over all cycles
OBJS_LIMIT=3000		# growth of active slab objects over all cycles

settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	for f in /sys/kernel/slab/*/shrink; do echo 1 >"$f" 2>/dev/null; done
	sleep 2
}

# set by snap, through eval
base_slab='' base_free='' base_objs=''
after_slab='' after_free='' after_objs=''
snap() { # snap NAME: sets NAME_slab NAME_free NAME_objs
	settle
	cp /proc/meminfo "$MCAP_CASE_OUT/meminfo-$1.txt"
	eval "$1_slab=$(awk '/^Slab:/ {print $2}' /proc/meminfo)"
	# free pages: the buddy allocator's (MemFree) and those parked on the
	# per-CPU lists (zoneinfo "count:", 10-20 MB that come and go)
	eval "$1_free=$(($(awk '/^MemFree:/ {print $2}' /proc/meminfo) +
		$(awk '/^ *count:/ {n += $2} END {print n * 4}' /proc/zoneinfo)))"
	eval "$1_objs=$(awk 'NR > 2 {n += $2} END {print n}' /proc/slabinfo)"
	eval "echo \"$1: Slab \$$1_slab kB, free pages \$$1_free kB, active slab objects \$$1_objs\""
}

cycle() {
	mcap_load channels=4 mode=1280x720p30
	# shellcheck disable=SC2046 # one word per node
	set -- $(mcap_nodes)
	maps0=$(cat $MCAP_SIM_DBG/card0/dma_mappings)
	"$MCAP_USER_TOOLS/mcap-capture" -n 10 "$@" >/dev/null || fail "capture (mmap)"
	"$MCAP_TOOLS/mcap-integrity" -i userptr -n 5 "$1" "$2" >/dev/null ||
		fail "capture (userptr)"
	"$MCAP_TOOLS/mcap-integrity" -i dmabuf -n 5 -e "$4" "$3" >/dev/null ||
		fail "capture (dmabuf)"
	v4l2-ctl -d "$4" --stream-count=5 --stream-to=/dev/null >/dev/null 2>&1 ||
		fail "capture (read)"
	maps1=$(cat $MCAP_SIM_DBG/card0/dma_mappings)
	[ "$maps1" -eq "$maps0" ] ||
		fail "DMA mappings: $maps0 after load, $maps1 after every file closed"
	mcap_unload
}

cycle
snap base
i=0
while [ $i -lt $CYCLES ]; do
	cycle
	i=$((i + 1))
done
snap after
dslab=$((after_slab - base_slab))
dfree=$((base_free - after_free))
dobjs=$((after_objs - base_objs))
echo "after $CYCLES cycles: Slab ${dslab} kB, free pages $((after_free - base_free)) kB, slab objects ${dobjs}"
echo "meminfo fields that moved by more than 512 kB:"
awk 'NR == FNR { a[$1] = $2; next }
     ($1 in a) { d = $2 - a[$1]; if (d > 512 || d < -512) print "  " $1, a[$1], "->", $2, "(" d ")" }' \
	"$MCAP_CASE_OUT/meminfo-base.txt" "$MCAP_CASE_OUT/meminfo-after.txt"
[ $dslab -le $SLAB_LIMIT_KB ] || fail "Slab grew by $dslab kB"
[ $dfree -le $FREE_LIMIT_KB ] || fail "free pages dropped by $dfree kB"
[ $dobjs -le $OBJS_LIMIT ] || fail "$dobjs more slab objects"
echo "no leak; DMA mappings back to $maps0 after every cycle"

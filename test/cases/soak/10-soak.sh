#!/bin/sh
# 10-soak.sh - long capture: 4 channels, every frame checked, flat memory
#
# For MCAP_SOAK_SECONDS (default 3600; set by `make soak SOAK_SECONDS=N`),
# mcap-integrity checks every byte of every frame of 4 channels. Memory
# (Slab, free pages) is sampled every minute. Pass: no bad frame; every
# sequence gap explained by the driver's counters (no-buffer, overflow,
# chunk error, stall drops); memory at the end within a few MB of the first
# sample after warm-up.
# timeout: 14400
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

SECS=${MCAP_SOAK_SECONDS:-3600}
FPS=30
mcap_load channels=4 mode=320x240p30
# shellcheck disable=SC2046 # one word per node
set -- $(mcap_nodes)
"$MCAP_TOOLS/mcap-integrity" -i mmap -f YUYV -b 6 -n $((SECS * FPS)) "$@" \
	>"$MCAP_CASE_OUT/integrity.txt" 2>&1 &
pid=$!
# Slab and free pages (MemFree plus the per-CPU lists, which hold 10-20 MB)
mem() {
	echo "Slab: $(awk '/^Slab:/ {print $2}' /proc/meminfo)" \
	     "Free: $(($(awk '/^MemFree:/ {print $2}' /proc/meminfo) +
		$(awk '/^ *count:/ {n += $2} END {print n * 4}' /proc/zoneinfo)))"
}
t=0
first=
while kill -0 $pid 2>/dev/null; do
	sleep 60
	t=$((t + 60))
	m=$(mem)
	echo "t=${t}s $m" >>"$MCAP_CASE_OUT/memory.txt"
	[ $t -eq 120 ] && first=$m
done
wait $pid
rc=$?
cat "$MCAP_CASE_OUT/integrity.txt"
tail -n 3 "$MCAP_CASE_OUT/memory.txt"
[ $rc -eq 0 ] || fail "integrity failed during the soak"
for n in "$@"; do
	ch=$(cat "/sys/class/video4linux/$(basename "$n")/index")
	gaps=$(sed -n "s|^$(basename "$n")/ch$ch/YUYV: .*dropped \([0-9]*\),.*|\1|p" \
		"$MCAP_CASE_OUT/integrity.txt")
	counted=0
	for k in drops_no_buffer drops_overflow drops_chunk_error drops_stall; do
		counted=$((counted + $(mcap_stat "$n" $k)))
	done
	echo "$n: sequence gaps $gaps, counted drops $counted"
	[ "$gaps" = "$counted" ] || fail "$n: $gaps frames missing, $counted explained"
done
if [ -n "$first" ]; then
	slab0=$(echo "$first" | awk '{print $2}')
	free0=$(echo "$first" | awk '{print $4}')
	# shellcheck disable=SC2046 # the words of the line: Slab: N Free: M
	set -- $(mem)
	slab1=$2
	free1=$4
	echo "memory from t=120s to the end: Slab $((slab1 - slab0)) kB, free pages $((free1 - free0)) kB"
	[ $((slab1 - slab0)) -le 2048 ] || fail "Slab grew by $((slab1 - slab0)) kB"
	[ $((free0 - free1)) -le 8192 ] || fail "free pages fell by $((free0 - free1)) kB"
fi
mcap_unload
echo "soak of ${SECS}s OK"

#!/bin/sh
# bench-lib.sh - helpers of the guest benchmark scripts (sourced, guest only)
#
# Needs MCAP_ROOT and MCAP_RESULTS; sources test/cases/lib.sh and unloads
# what an earlier run left (mcap_unload_stale). Sets RES, J
# (RES/json), LOG (RES/bench.log), PROG (RES/progress.log, shown by the
# host), CAP (mcap-capture), rc (0 until a run gives no result) and
#   say MSG                          a progress line
#   cap GROUP NAME "k=v ..." ARGS    one measured mcap-capture run: its JSON
#                                    (RES/json/GROUP--NAME.json), its params,
#                                    and RES/qemu-mark = GROUP--NAME meanwhile,
#                                    so the host can bill QEMU's threads
#   drops_of GROUP--NAME             the drops of a finished run
#   mbs_of GROUP--NAME               its MB/s (integer part)
# the variables are for the scripts that source this file
# shellcheck disable=SC1091,SC2034
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale
RES=$MCAP_RESULTS
J=$RES/json
LOG=$RES/bench.log
PROG=$RES/progress.log
CAP=$MCAP_USER_TOOLS/mcap-capture
mkdir -p "$J"
touch "$LOG" "$PROG"
rc=0

if [ "${MCAP_BENCH_QUICK:-0}" = 1 ]; then
	SHORT=3 MID=4 LONG=10 WARM=1
else
	SHORT=5 MID=10 LONG=60 WARM=2
fi
# buffers per channel: the application holds one; the rest ride out TCG's
# stalls of tens of ms
TMODE=1920x1080p60
TBYTES=4147200
BUFS=8

say() {
	echo "[$(date +%H:%M:%S)] $*" | tee -a "$PROG" >>"$LOG"
}

cap() {
	_g=$1 _n=$2 _p=$3
	shift 3
	for _kv in $_p; do echo "$_kv"; done >"$J/$_g--$_n.params"
	echo "== $_g/$_n: $_p: mcap-capture $*" >>"$LOG"
	echo "$_g--$_n" >"$RES/qemu-mark"
	"$CAP" -p -l "$_g/$_n" -j "$J/$_g--$_n.json" "$@" >"$RES/last.txt" 2>>"$RES/progress.tty"
	_r=$?
	: >"$RES/qemu-mark"
	cat "$RES/last.txt" >>"$LOG"
	say "$_g/$_n ($_p): $(grep -E '^window' "$RES/last.txt")"
	[ -s "$J/$_g--$_n.json" ] || { say "$_g/$_n: no result (exit $_r)"; rc=1; }
	return $_r
}

drops_of() {
	sed -n 's/.*"drops": \([0-9]*\),.*/\1/p' "$J/$1.json" 2>/dev/null | head -n 1
}

mbs_of() {
	sed -n 's/.*"mb_per_s": \([0-9]*\).*/\1/p' "$J/$1.json" 2>/dev/null | head -n 1
}

# memcpy_ref GROUP: the memcpy reference of this boot (1 and 2 threads)
memcpy_ref() {
	for _t in 1 2; do
		"$MCAP_TOOLS/mcap-memcpy" -S "$TBYTES" -d 3 -t $_t -j "$J/$1--t$_t.json" >>"$LOG" 2>&1 || rc=1
	done
}

# timing_bench GROUP NODE: the VM's scheduling floor (cyclictest) and, in
# the same boot, the card's timing on NODE: timestamp spacing, end of frame
# to DQBUF, first 64 lines to the application. RES/json/GROUP--timing.json.
timing_bench() {
	_g=$1 _v=$2 _n=$((MID * 60))
	say "$_g: cyclictest, then frame timing on $_v"
	cyclictest -m -q -p 90 -i 1000 -l $((MID * 1000)) -h 20000 \
		>"$RES/$_g-cyclictest.txt" 2>>"$LOG" || rc=1
	echo "$_g--timing" >"$RES/qemu-mark"
	"$MCAP_TOOLS/mcap-timing" --frames $_n --latency "$_v" \
		>"$RES/$_g-timing.txt" 2>&1 || rc=1
	"$MCAP_ROOT/tools/mcap-lowlat" -d "$_v" -l 64 -n $_n \
		>"$RES/$_g-lowlat.txt" 2>&1 || rc=1
	: >"$RES/qemu-mark"
	cat "$RES/$_g-cyclictest.txt" "$RES/$_g-timing.txt" "$RES/$_g-lowlat.txt" >>"$LOG"
	# cyclictest's histogram: "USEC COUNT" lines, 1 us buckets
	_cy=$(awk '/^[0-9]+[ \t]+[0-9]+/ { n[$1 + 0] = $2; t += $2 }
		/Max Latencies/ { mx = $NF + 0 }
		END { c = 0; p50 = p99 = -1; for (u = 0; u <= 20000; u++) { c += n[u];
			if (p50 < 0 && c >= t * 0.5) p50 = u; if (p99 < 0 && c >= t * 0.99) p99 = u }
			printf "{\"samples\": %d, \"p50_us\": %d, \"p99_us\": %d, \"max_us\": %d}", t, p50, p99, mx }' \
		"$RES/$_g-cyclictest.txt")
	_pct() { # FILE PATTERN: "p50 A us, p99 B us, max C us" after PATTERN
		_r=$(sed -n "s/.*$2[^p]*p50 \([0-9.]*\) us,\{0,1\} p99 \([0-9.]*\) us,\{0,1\} max \([0-9.]*\) us.*/{\"p50_us\": \1, \"p99_us\": \2, \"max_us\": \3}/p" "$1" | head -n 1)
		echo "${_r:-null}"
	}
	_sp=$(sed -n 's/.*period: .*deviation max \([0-9.]*\) us, p99 \([0-9.]*\) us.*/{"max_us": \1, "p99_us": \2}/p' "$RES/$_g-timing.txt" | head -n 1)
	_t64=$(sed -n 's/^64 lines of a frame take[^0-9]*\([0-9.]*\) us.*/\1/p' "$RES/$_g-lowlat.txt" | head -n 1)
	cat >"$J/$_g--timing.json" <<EOJ
{"cyclictest": ${_cy:-null},
 "eof_to_dqbuf": $(_pct "$RES/$_g-timing.txt" "DQBUF - timestamp"),
 "first64": $(_pct "$RES/$_g-lowlat.txt" "first 64 lines:"),
 "lines64_us": ${_t64:-null},
 "spacing": ${_sp:-null}}
EOJ
	say "$_g: timing: $(tr -d '\n' <"$J/$_g--timing.json")"
}

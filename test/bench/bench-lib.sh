#!/bin/sh
# bench-lib.sh - helpers of the guest benchmark scripts (sourced, guest only)
#
# Needs MCAP_ROOT and MCAP_RESULTS; sources test/cases/lib.sh. Sets RES, J
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
RES=$MCAP_RESULTS
J=$RES/json
LOG=$RES/bench.log
PROG=$RES/progress.log
CAP=$MCAP_TOOLS/mcap-capture
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

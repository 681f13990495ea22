#!/bin/sh
# runner.sh - run multicap test cases inside the test VM (never on the host)
#
# Usage: test/guest/runner.sh [--results DIR] [--filter REGEX] GROUP-DIR...
#
# Runs every executable-or-not `NN-name.sh` file of each GROUP-DIR (e.g.
# test/cases/smoke), sorted by name.  A case is named GROUP/NN-name and
# REGEX (grep -E) is matched against that name.  For each case:
#   - the kernel log is drained (dmesg -S -c) before it starts;
#   - it runs under `timeout` (limit from a "# timeout: N" line in the case,
#     default 300 s) with MCAP_ROOT, MCAP_RESULTS, MCAP_CASE_OUT and MCAP_KVER
#     in the environment; stdout+stderr go to RESULTS/GROUP/NN-name.log;
#   - the kernel log produced meanwhile goes to RESULTS/GROUP/NN-name.dmesg and
#     is scanned for BUG/WARNING/Oops/SLUB/lockup/... reports (BAD_RE below);
#   - RESULTS/GROUP/NN-name.status gets "PASS", "SKIP" (exit 77) or
#     "FAIL <reason>".  PASS requires exit 0 and a clean kernel log. A skip
#     is SKIP only if README.md lists the case under "## Skipped checks"
#     (a line "- `GROUP/NN-name`: reason"); any other skip is a FAIL.
# The kernel log before the first case is kept in RESULTS/_boot.dmesg and the
# one after the last case in RESULTS/_post.dmesg; a bad line in either is
# reported as the extra failing case _boot / _post.
# MCAP_TIMEOUT_SCALE (an integer, default 1) multiplies every limit: a debug
# kernel (make check-debug) runs the same cases several times slower.
# On a kernel with kmemleak (make check-debug), the modules are unloaded
# after the last case and kmemleak scans: its report goes to
# RESULTS/_kmemleak.txt and an entry naming multicap fails the pseudo case
# _kmemleak (whose .status also carries the counts); so does one with a
# frame in a module unloaded since (printed as a bare address).
# At the end RESULTS/summary.txt and the marker RESULTS/done are written.
# RESULTS defaults to $MCAP_RESULTS.  Cases must not run `dmesg -c` themselves.
set -u

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
MCAP_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RESULTS=${MCAP_RESULTS:-}
FILTER=
while [ $# -gt 0 ]; do
	case "$1" in
	--results) RESULTS=$2; shift 2 ;;
	--filter) FILTER=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "runner.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ -n "$RESULTS" ] || { echo "runner.sh: no results dir (--results or MCAP_RESULTS)" >&2; exit 2; }
[ $# -gt 0 ] || { echo "runner.sh: no group directories given" >&2; exit 2; }
export MCAP_ROOT MCAP_RESULTS="$RESULTS"
MCAP_KVER=$(uname -r)
export MCAP_KVER

# kernel log lines that make a case fail
BAD_RE='BUG:|kernel BUG at|WARNING:|Oops|general protection fault|Kernel panic'
BAD_RE="$BAD_RE"'|list_add corruption|list_del corruption|refcount_t:|UBSAN:|KASAN:'
BAD_RE="$BAD_RE"'|BUG [^ ]+ \(.*\): |Redzone overwritten|Poison overwritten'
BAD_RE="$BAD_RE"'|Object padding overwritten|Padding overwritten|Freepointer corrupt'
BAD_RE="$BAD_RE"'|Freechain corrupt|Object already free|Slab cache still has objects'
BAD_RE="$BAD_RE"'|INFO: task .* blocked for more than|soft lockup|hard LOCKUP'
# x86 traps in the kernel print no "Oops" (e.g. "divide error: 0000 [#1]")
BAD_RE="$BAD_RE"'|divide error: |invalid opcode: |stack segment: |\[ end trace '
# debug kernels: lockdep's INFO reports, a checker switching itself off
BAD_RE="$BAD_RE"'|INFO: trying to register non-static key|INFO: lockdep is turned off'
BAD_RE="$BAD_RE"'|DMA-API: debugging out of memory|kmemleak: Kernel memory leak detector disabled'
BAD_RE="$BAD_RE"'|ODEBUG: |BUG: KCSAN: '

log() { echo "[mcap] $*"; }

# cases allowed to skip: README.md, "## Skipped checks", "- `GROUP/NN-name`..."
# shellcheck disable=SC2016 # the backquotes are Markdown's, not the shell's
ALLOWED_SKIPS=$(sed -n '/^## Skipped checks/,/^## /s/^- `\([^`]*\/[^`]*\)`.*/\1/p' \
	"$MCAP_ROOT/README.md" 2>/dev/null)
skip_allowed() { echo "$ALLOWED_SKIPS" | grep -qxF -- "$1"; }

# drain_kmsg FILE: append the kernel log since the last drain to FILE
drain_kmsg() {
	dmesg -S -c >>"$1" 2>&1 || true
}

# bad_lines FILE NAME: print the offending kernel log lines of FILE, and
# keep them, prefixed by NAME, in reports.txt (what make check-debug counts)
bad_lines() {
	grep -E "$BAD_RE" "$1" >"$RESULTS/.bad" 2>/dev/null || return 1
	sed "s|^|$2: |" "$RESULTS/.bad" >>"$RESULTS/reports.txt"
	cat "$RESULTS/.bad"
}

# run_case FILE OUTDIR NAME LIMIT: run one case, return its exit status
run_case() {
	if [ -x "$1" ]; then
		set -- "$1" "$2" "$3" "$4" "$1"
	else
		set -- "$1" "$2" "$3" "$4" sh "$1"
	fi
	(
		cd "$2" || exit 1
		MCAP_CASE_OUT=$2 MCAP_CASE=$3
		export MCAP_CASE_OUT MCAP_CASE
		limit=$4
		shift 4
		exec timeout -k 10 "$limit" "$@" </dev/null >"$MCAP_CASE_OUT.log" 2>&1
	)
}

# kmemleak_check: with kmemleak, unload what the cases loaded, scan, and
# fail the pseudo case _kmemleak on an unreferenced object naming multicap
kmemleak_check() {
	kml=/sys/kernel/debug/kmemleak
	[ -w "$kml" ] || return 0
	for m in multicap_sim multicap vivid vgem; do
		rmmod "$m" 2>/dev/null
	done
	# an object must stay unreferenced for two scans (and 5 s) to be reported
	echo scan >"$kml"; sleep 6; echo scan >"$kml"
	cat "$kml" >"$RESULTS/_kmemleak.txt"
	total=$(grep -c '^unreferenced object' "$RESULTS/_kmemleak.txt")
	# a frame of a module unloaded since prints as a bare address: the
	# cases load and unload multicap (and vivid, vgem) all the time, so an
	# unresolved frame counts as ours too
	ours=$(awk '/^unreferenced object/ { if (m) n++; m = 0 }
		/multicap/ || /\] 0x[0-9a-f]+$/ { m = 1 }
		END { if (m) n++; print n + 0 }' "$RESULTS/_kmemleak.txt")
	drain_kmsg "$RESULTS/_post.dmesg"
	: >"$RESULTS/_kmemleak.log"
	st=PASS
	[ "$ours" -eq 0 ] || st=FAIL
	echo "$st kmemleak: $ours of $total unreferenced objects name multicap" >"$RESULTS/_kmemleak.status"
	record "$st" _kmemleak "$ours of $total unreferenced objects name multicap"
}

npass=0 nfail=0 nskip=0
SUMMARY=$RESULTS/summary.txt.tmp
: >"$SUMMARY"
rm -f "$RESULTS/done"

record() { # record STATUS NAME [REASON]
	case "$1" in
	PASS) npass=$((npass + 1)) ;;
	SKIP) nskip=$((nskip + 1)) ;;
	*) nfail=$((nfail + 1)) ;;
	esac
	echo "$1 $2${3:+ ($3)}" >>"$SUMMARY"
	log "$1 $2${3:+ ($3)}"
}

# pseudo case for kernel log outside of any case (boot, after the last case)
check_extra() { # check_extra NAME
	if bad_lines "$RESULTS/$1.dmesg" "$1" >/dev/null; then
		echo "FAIL kernel log reports problems outside of test cases" >"$RESULTS/$1.status"
		: >"$RESULTS/$1.log"
		record FAIL "$1" "bad kernel log"
	fi
}

# DMA-API debugging reports only its first error unless told otherwise
[ ! -w /sys/kernel/debug/dma-api/all_errors ] || echo 1 >/sys/kernel/debug/dma-api/all_errors
: >"$RESULTS/_boot.dmesg"
drain_kmsg "$RESULTS/_boot.dmesg"
check_extra _boot
log "runner start: kernel $MCAP_KVER, uptime $(cut -d' ' -f1 /proc/uptime)s"

for dir in "$@"; do
	case "$dir" in /*) ;; *) dir=$MCAP_ROOT/$dir ;; esac
	if [ ! -d "$dir" ]; then
		log "FAIL $(basename "$dir") (no such group directory: $dir)"
		echo "FAIL missing group directory $dir" >>"$SUMMARY"
		nfail=$((nfail + 1))
		continue
	fi
	group=$(basename "$dir")
	mkdir -p "$RESULTS/$group"
	for f in $(find "$dir" -maxdepth 1 -type f -name '[0-9]*-*.sh' | LC_ALL=C sort); do
		case=$(basename "$f" .sh)
		name=$group/$case
		if [ -n "$FILTER" ] && ! echo "$name" | grep -Eq -- "$FILTER"; then
			continue
		fi
		out=$RESULTS/$name
		rm -rf "$out" "$out.log" "$out.dmesg" "$out.status"
		mkdir -p "$out"
		limit=$(sed -n 's/^#[[:space:]]*timeout:[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$f" | head -n 1)
		limit=$(( ${limit:-300} * ${MCAP_TIMEOUT_SCALE:-1} ))
		drain_kmsg "$RESULTS/_boot.dmesg"	# stray lines: keep, not blamed
		echo "mcap: ---- start $name ----" >/dev/kmsg 2>/dev/null
		log "RUN  $name (timeout ${limit}s)"
		t0=$(date +%s)
		run_case "$f" "$out" "$name" "$limit"
		rc=$?
		t1=$(date +%s)
		# give deferred work (e.g. release after close) a moment to complain
		sleep 1
		echo "mcap: ---- end $name (exit $rc) ----" >/dev/kmsg 2>/dev/null
		drain_kmsg "$out.dmesg"
		secs=$((t1 - t0))
		bad=$(bad_lines "$out.dmesg" "$name" | head -n 1)
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			st=FAIL reason="timeout after ${limit}s"
		elif [ -n "$bad" ]; then
			st=FAIL reason="kernel log: $(echo "$bad" | sed 's/^\[[^]]*\] *//' | cut -c1-120)"
		elif [ "$rc" -eq 77 ] && skip_allowed "$name"; then
			st=SKIP reason="$(tail -n 1 "$out.log" | cut -c1-120)"
		elif [ "$rc" -eq 77 ]; then
			st=FAIL reason="skipped, not an allowed skip (README.md, Skipped checks): $(tail -n 1 "$out.log" | cut -c1-100)"
		elif [ "$rc" -ne 0 ]; then
			st=FAIL reason="exit status $rc"
		else
			st=PASS reason=
		fi
		if [ -n "$bad" ] && [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
			reason="$reason; exit status $rc"
		fi
		echo "$st${reason:+ $reason}" >"$out.status"
		record "$st" "$name" "${reason:+$reason, }${secs}s"
	done
done

: >"$RESULTS/_post.dmesg"
drain_kmsg "$RESULTS/_post.dmesg"
check_extra _post
kmemleak_check
{
	echo "kernel: $MCAP_KVER"
	cat "$SUMMARY"
	echo "$npass passed, $nfail failed, $nskip skipped"
} >"$RESULTS/summary.txt"
rm -f "$SUMMARY"
log "$npass passed, $nfail failed, $nskip skipped"
date -u +%Y-%m-%dT%H:%M:%SZ >"$RESULTS/done"
sync
[ "$nfail" -eq 0 ]

#!/bin/bash
# run-bench.sh - the multicap benchmarks: one VM boot, JSON, table, plots
#
# Usage: test/bench/run-bench.sh [--kernel KVER] [--quick]
#
# Boots the test VM once (test/vm/boot.sh) and runs test/bench/guest-bench.sh
# there: memcpy reference, the largest 0-drop load (short search, then 60 s),
# latency per mode, MMAP against read(), zero copy (no-fill, 6x the bytes
# per line), polling against interrupts, interrupt load over lines per chunk
# and channels, scaling over channels and cards, and vivid at the same mode.
# Writes results/bench-<UTC time>/: json/*.json (one per run), bench.log,
# then test/bench/report.py makes bench.json, bench.md and *.png there.
# --quick shortens every run (to try the harness; not for publishing).
# Progress (one line per run) is shown while the VM runs. Takes ~15 min.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KVER=()
QUICK=0
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) KVER=(--kernel "$2"); shift 2 ;;
	--quick) QUICK=1; shift ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run-bench: unknown argument $1" >&2; exit 2 ;;
	esac
done

for f in multicap.ko multicap_sim.ko test/tools/mcap-capture test/tools/mcap-memcpy; do
	[ -e "$ROOT/$f" ] || { echo "run-bench: $ROOT/$f missing: run make modules tools"; exit 1; }
done
RES=$ROOT/results/bench-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RES"
RES=$(cd "$RES" && pwd -P)
cat >"$RES/guest-run.sh" <<EOS
#!/bin/sh
MCAP_ROOT='$ROOT' MCAP_RESULTS='$RES' MCAP_BENCH_QUICK='$QUICK' \
sh '$ROOT/test/bench/guest-bench.sh'
poweroff -f
EOS
echo "bench: booting the test VM (TCG); results in $RES"
: >"$RES/progress.log"
tail -n +1 -F "$RES/progress.log" 2>/dev/null | sed -u 's/^/bench: /' &
TAILPID=$!
MCAP_QUIET=1 "$ROOT/test/vm/boot.sh" "${KVER[@]}" --results "$RES" \
	--run "$RES/guest-run.sh" --timeout 2400 >/dev/null
vmrc=$?
sleep 1
kill "$TAILPID" 2>/dev/null
wait "$TAILPID" 2>/dev/null
if [ ! -f "$RES/bench.rc" ]; then
	echo "bench: the VM run did not finish (boot.sh exit $vmrc); console: $RES/console.log"
	tail -n 30 "$RES/console.log"
	exit 1
fi
/usr/bin/python3 "$ROOT/test/bench/report.py" "$RES" || exit 1
echo
cat "$RES/bench.md"
echo
echo "results: $RES"
exit "$(cat "$RES/bench.rc")"

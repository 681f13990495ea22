#!/bin/bash
# run-bench.sh - the multicap benchmarks: two VM boots, JSON, table, plots
#
# Usage: test/bench/run-bench.sh [--kernel KVER] [--quick]
#                               [--bus platform|pci|egress|both|all]
#
# Boots the test VM (test/vm/boot.sh) with the in-kernel simulated card and
# runs test/bench/guest-bench.sh there: memcpy reference, the largest
# 0-drop load (short search, then 60 s), latency per mode, MMAP against
# read(), zero copy (no-fill, 6x the bytes per line), polling against
# interrupts, interrupt load over lines per chunk and channels, scaling
# over channels and cards, and vivid at the same mode.
# Then (--bus both, the default; --bus pci alone) boots it again with one
# 16-channel PCIe card (the QEMU device) and runs guest-bench-pci.sh: the
# largest 0-drop load up to 16 x 1920x1080p60 and CPU per frame over 1-16
# channels, while test/bench/qemu-cpu.py bills QEMU's device thread and
# vCPUs to each run (qemu-cpu.json).
# Then (--bus all, the default; --bus egress alone) boots it with two
# virtio disks and a virtio NIC pair (boot.sh --egress) and runs
# guest-bench-egress.sh: mcap-record against the disk's raw O_DIRECT
# bandwidth (fio) and against --copy, mcap-send against --copy.
# --bus both: the first two boots.
# Writes results/bench-<UTC time>/: json/*.json (one per run), bench.log,
# console-*.log, then test/bench/report.py makes bench.json, bench.md and
# *.png there.
# --quick shortens every run (to try the harness; not for publishing).
# Progress (one line per run) is shown while the VM runs. Takes ~25 min
# (the PCIe boot ~8).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=test/vm/lib-host.sh
. "$ROOT/test/vm/lib-host.sh"
KVER=()
QUICK=0
BUS=all
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) KVER=(--kernel "$2"); shift 2 ;;
	--quick) QUICK=1; shift ;;
	--bus) BUS=$2; shift 2 ;;
	-h|--help) mcap_help "$0"; exit 0 ;;
	*) echo "run-bench: unknown argument $1" >&2; exit 2 ;;
	esac
done

mcap_need run-bench "run make modules tools" "$ROOT/multicap.ko" \
	"$ROOT/multicap_sim.ko" "$ROOT/tools/mcap-capture" "$ROOT/test/tools/mcap-memcpy"
case "$BUS" in platform|pci|egress|both|all) ;; *) echo "run-bench: --bus platform, pci, egress, both or all" >&2; exit 2 ;; esac
RES=$(mcap_results_dir bench)
# vm NAME SCRIPT [boot.sh args...]: one boot running SCRIPT; 0 if it wrote
# RES/NAME.rc
vm() {
	_name=$1 _script=$2
	shift 2
	cat >"$RES/guest-$_name.sh" <<EOS
#!/bin/sh
MCAP_ROOT='$ROOT' MCAP_RESULTS='$RES' MCAP_BENCH_QUICK='$QUICK' \
sh '$ROOT/test/bench/$_script'
poweroff -f
EOS
	echo "bench: booting the test VM (TCG, $_name); results in $RES"
	mcap_boot "$RES" "$RES/guest-$_name.sh" 2400 "${KVER[@]}" "$@" &
	_boot=$!
	_sampler=
	if [ "$_name" = bench-pci ]; then
		# QEMU's pid (not timeout's, whose command line is the same)
		_q=
		while [ -z "$_q" ] && kill -0 "$_boot" 2>/dev/null; do
			sleep 0.5
			for p in $(pgrep -f "mcap.results=$RES "); do
				[ "$(cat "/proc/$p/comm" 2>/dev/null)" = qemu-system-x86 ] && _q=$p
			done
		done
		if [ -n "$_q" ]; then
			/usr/bin/python3 "$ROOT/test/bench/qemu-cpu.py" "$RES" "$_q" &
			_sampler=$!
		fi
	fi
	_vmrc=0
	wait "$_boot" || _vmrc=$?
	[ -z "$_sampler" ] || wait "$_sampler"
	mv "$RES/console.log" "$RES/console-$_name.log"
	if [ ! -f "$RES/$_name.rc" ]; then
		mcap_unfinished "bench: the $_name VM run did not finish (boot.sh exit $_vmrc)" \
			"$RES/console-$_name.log"
		return 1
	fi
}

: >"$RES/progress.log"
tail -n +1 -F "$RES/progress.log" 2>/dev/null | sed -u 's/^/bench: /' &
TAILPID=$!
ok=1
if [ "$BUS" = platform ] || [ "$BUS" = both ] || [ "$BUS" = all ]; then
	vm bench guest-bench.sh || ok=0
fi
if [ "$BUS" = pci ] || [ "$BUS" = both ] || [ "$BUS" = all ]; then
	"$ROOT/test/vm/build-qemu.sh" >/dev/null || { echo "bench: QEMU with the multicap device did not build"; exit 1; }
	vm bench-pci guest-bench-pci.sh --bus pci --cards 1 --channels 16 --mode 1920x1080p60 --mem 3072 || ok=0
fi
if [ "$BUS" = egress ] || [ "$BUS" = all ]; then
	vm bench-egress guest-bench-egress.sh --egress --disk-gb 12 --mem 3072 || ok=0
fi
sleep 1
kill "$TAILPID" 2>/dev/null
wait "$TAILPID" 2>/dev/null
[ $ok = 1 ] || exit 1
/usr/bin/python3 "$ROOT/test/bench/report.py" "$RES" || exit 1
echo
cat "$RES/bench.md"
echo
echo "results: $RES"
rc=0
for f in "$RES"/bench*.rc; do
	[ "$(cat "$f")" = 0 ] || rc=1
done
exit $rc

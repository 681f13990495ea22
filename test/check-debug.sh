#!/bin/bash
# check-debug.sh - the test suite on a debug kernel (make check-debug)
#
# Usage: test/check-debug.sh [--config debug|kcsan] [--group G[,G...]]
#                            [--filter REGEX]
#
# 1. test/vm/build-kernel.sh builds (or finds in its cache, keyed by the
#    config) Debian's linux-source-6.1 with the checkers: KASAN, lockdep,
#    DEBUG_ATOMIC_SLEEP, DMA-API debug, kmemleak, DEBUG_LIST, DEBUG_OBJECTS,
#    hung-task and soft-lockup detectors ("debug"), or KCSAN ("kcsan").
# 2. A copy of this tree (/var/tmp/multicap-check-debug/CONFIG/, outside
#    the clone, whose `make clean` would delete its modules; the working tree as
#    it is, without .git, .build and results) gets its modules built
#    against that kernel, and its tools.
# 3. test/run-tests.sh boots that kernel and runs the groups (default: the
#    ones make check runs, platform bus and PCI) with every case's time
#    limit tripled (MCAP_TIMEOUT_SCALE) and 3 GiB of guest memory. The
#    guest runner fails a case on any report in its kernel log and, at the
#    end of each boot, runs kmemleak after unloading the modules.
# 4. Prints the reports found (lines of the kernel logs), the kmemleak
#    counts and the run time. Results: results/check-debug-CONFIG-<time>/.
# Exit status: that of run-tests.sh (0 iff every case passed).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONFIG=debug
CASE_GROUPS=smoke,check,swiotlb,egress,pci,pci-iommu,pci-hotplug
FILTER=()
while [ $# -gt 0 ]; do
	case "$1" in
	--config) CONFIG=${2:?}; shift 2 ;;
	--group) CASE_GROUPS=${2:?}; shift 2 ;;
	--filter) FILTER=(--filter "${2:?}"); shift 2 ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "check-debug.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
	esac
done

T0=$(date +%s)
KOUT=$("$ROOT/test/vm/build-kernel.sh" --config "$CONFIG" | tail -n 1)
KVER=$(cat "$KOUT/kver")
echo "check-debug.sh: kernel $KVER ($KOUT), ready after $(($(date +%s) - T0)) s"

TREE=${TMPDIR:-/var/tmp}/multicap-check-debug/$CONFIG
mkdir -p "$TREE"
rsync -a --delete --exclude=/.git --exclude=/.build --exclude=/results \
	--exclude='*.o' --exclude='*.ko' --exclude='*.mod*' --exclude='.*.cmd' \
	"$ROOT/" "$TREE/"
make -s -C "$TREE" KDIR="$KOUT/lib/modules/$KVER/build" modules tools >/dev/null

RES=$ROOT/results/check-debug-$CONFIG-$(date -u +%Y%m%dT%H%M%SZ)
T1=$(date +%s)
rc=0
MCAP_TIMEOUT_SCALE=${MCAP_TIMEOUT_SCALE:-3} MCAP_MEM=${MCAP_MEM:-3072} MCAP_RESULTS_DIR=$RES \
	"$TREE/test/run-tests.sh" --kernel-dir "$KOUT" --group "$CASE_GROUPS" "${FILTER[@]}" \
	--timeout 9000 || rc=$?

echo "================================================================"
echo "check-debug.sh: $CONFIG kernel $KVER, VM time $(($(date +%s) - T1)) s"
# every boot's runner kept the report lines it failed cases on
# (with one boot, $RES is that boot's directory: write beside, not over it)
find "$RES" -name reports.txt -exec cat {} + >"$RES/reports-all.txt"
nrep=$(wc -l <"$RES/reports-all.txt")
echo "check-debug.sh: kernel report lines: $nrep (all in $RES/reports-all.txt)"
head -n 20 "$RES/reports-all.txt"
find "$RES" -name _kmemleak.status -exec sh -c 'echo "$1: $(cat "$1")"' _ {} \;
exit "$rc"

#!/bin/bash
# boot.sh - boot the multicap test VM (QEMU, TCG by default) and run one script
#
# Usage: test/vm/boot.sh [--kernel KVER] [--timeout SECS] [--mem MB]
#                        --results DIR --run SCRIPT
#
# The guest root is an overlay of the host's / (read-only 9p, tag "hostroot")
# with a tmpfs upper layer, so the project tree, /lib/modules, v4l-utils ...
# are visible at the same paths as on the host; writes stay in guest RAM.
# DIR (absolute; created if missing) is shared read-write (9p tag "results")
# at the same path.  The guest runs `/bin/sh SCRIPT` (absolute path, must be
# visible in the host tree) and powers off.  The serial console is written to
# DIR/console.log (and echoed to stdout unless MCAP_QUIET=1).
#
# Environment:
#   MCAP_KVER     kernel version (default: newest /boot/vmlinuz-6.1.*)
#   MCAP_KVM=1    use -enable-kvm -cpu host (off by default: nested KVM hangs)
#   MCAP_APPEND   extra kernel command line arguments (e.g. swiotlb=force)
#   MCAP_SMP      number of vCPUs (default 2)
#   MCAP_QUIET=1  do not echo the console to stdout
#   MCAP_VM_LOCK  lock file serialising VM runs (default /var/lock/multicap-vm.lock)
# Exit status: QEMU's (0 after a guest power-off); 137 when the hard timeout
# (default 1500 s, wraps QEMU in `timeout --signal=KILL`) had to kill it.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

die() { echo "boot.sh: $*" >&2; exit 2; }

KVER=${MCAP_KVER:-}
TIMEOUT=1500
MEM=2048
RESULTS=
RUN=
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) KVER=${2:?}; shift 2 ;;
	--timeout) TIMEOUT=${2:?}; shift 2 ;;
	--mem) MEM=${2:?}; shift 2 ;;
	--results) RESULTS=${2:?}; shift 2 ;;
	--run) RUN=${2:?}; shift 2 ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
done
[ -n "$RESULTS" ] || die "--results DIR is required"
[ -n "$RUN" ] || die "--run SCRIPT is required"

if [ -z "$KVER" ]; then
	k=$(find /boot -maxdepth 1 -name 'vmlinuz-6.1.*' -printf '%f\n' | sed 's/^vmlinuz-//' |
		sort -V | tail -n 1)
	[ -n "$k" ] || die "no /boot/vmlinuz-6.1.* found; use --kernel KVER"
	KVER=$k
fi
KERNEL=/boot/vmlinuz-$KVER
[ -r "$KERNEL" ] || die "kernel $KERNEL not found"
[ -d "/lib/modules/$KVER" ] || die "/lib/modules/$KVER not found"

mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd -P)
case "$RUN" in /*) ;; *) RUN=$(cd "$(dirname "$RUN")" && pwd -P)/$(basename "$RUN") ;; esac
[ -r "$RUN" ] || die "run script $RUN not readable"
for p in "$RESULTS" "$RUN"; do
	case "$p" in
	*[[:space:],]*) die "path must not contain blanks or commas: $p" ;;
	esac
done

# initramfs: cached, rebuilt when missing or older than its inputs
CACHE=$ROOT/.build/vm
INITRD=$CACHE/initramfs-$KVER.cpio.gz
mkdir -p "$CACHE"
if [ ! -s "$INITRD" ] || [ "$HERE/mkinitramfs.sh" -nt "$INITRD" ] ||
	[ "$KERNEL" -nt "$INITRD" ] || [ "/lib/modules/$KVER/modules.dep" -nt "$INITRD" ]; then
	"$HERE/mkinitramfs.sh" "$KVER" "$INITRD" >&2
fi

# only one VM at a time (the machine has 2 cores and each VM uses both);
# one lock for every checkout of the tree on this machine
exec 9>"${MCAP_VM_LOCK:-/var/lock/multicap-vm.lock}"
if ! flock -n 9; then
	echo "boot.sh: another test VM is running, waiting for it ..." >&2
	flock 9
fi

ACCEL=(-accel "tcg,thread=multi")
if [ "${MCAP_KVM:-0}" = 1 ]; then
	ACCEL=(-enable-kvm -cpu host)
fi

CONSOLE=$RESULTS/console.log
: >"$CONSOLE"
APPEND="console=ttyS0 slub_debug=FZPU panic=-1 quiet loglevel=4"
APPEND="$APPEND mcap.kver=$KVER mcap.run=$RUN mcap.results=$RESULTS ${MCAP_APPEND:-}"

QEMU=(qemu-system-x86_64 "${ACCEL[@]}" -smp "${MCAP_SMP:-2}" -m "$MEM"
	-machine "${MCAP_MACHINE:-q35}" -nodefaults -nographic -no-reboot
	-serial "file:$CONSOLE"
	-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND"
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$RESULTS,mount_tag=results,security_model=none,multidevs=remap"
	-device virtio-rng-pci)

echo "boot.sh: kernel $KVER, $( [ "${MCAP_KVM:-0}" = 1 ] && echo KVM || echo TCG), timeout ${TIMEOUT}s, console $CONSOLE" >&2
START=$(date +%s)
timeout --signal=KILL "$TIMEOUT" "${QEMU[@]}" </dev/null &
QPID=$!
TAILPID=
if [ "${MCAP_QUIET:-0}" != 1 ]; then
	tail -n +1 -F --pid="$QPID" "$CONSOLE" 2>/dev/null &
	TAILPID=$!
fi
trap 'kill "$QPID" 2>/dev/null || true' INT TERM
rc=0
wait "$QPID" || rc=$?
[ -z "$TAILPID" ] || wait "$TAILPID" 2>/dev/null || true
ELAPSED=$(($(date +%s) - START))
if [ "$rc" -eq 137 ] && [ "$ELAPSED" -ge "$TIMEOUT" ]; then
	echo "boot.sh: TIMEOUT: VM killed after ${TIMEOUT}s (hung guest?); see $CONSOLE" >&2
elif grep -q 'Kernel panic' "$CONSOLE"; then
	echo "boot.sh: guest kernel PANICKED after ${ELAPSED}s (qemu exit $rc); see $CONSOLE" >&2
elif [ "$rc" -ne 0 ]; then
	echo "boot.sh: qemu exited with status $rc after ${ELAPSED}s" >&2
else
	echo "boot.sh: VM powered off after ${ELAPSED}s" >&2
fi
exit "$rc"

#!/bin/bash
# boot.sh - boot the multicap test VM (QEMU, TCG by default) and run one script
#
# Usage: test/vm/boot.sh [--kernel KVER | --kernel-dir DIR] [--timeout SECS] [--mem MB]
#                        [--bus platform|pci] [--cards N] [--channels N]
#                        [--mode WxHpR] [--iommu] [--egress] [--disk-gb N]
#                        --results DIR --run SCRIPT
#
# --kernel-dir DIR boots a kernel of our own instead of a packaged one: the
# output directory of test/vm/build-kernel.sh (vmlinuz, config, kver and
# lib/modules/KVER). The guest bind-mounts that lib/modules/KVER over
# /lib/modules/KVER, so modprobe finds its modules and built-ins.
# --bus pci puts real (emulated) multicap PCIe cards into the VM: QEMU is
# then the one test/vm/build-qemu.sh builds (Debian's qemu source plus the
# device in src/sim/qemu/, cached outside the tree), with --cards cards
# (default 1) of --channels channels (default 4) and input --mode (default
# 1920x1080p60), each behind its own pcie-root-port (id rpN, card id mcN).
# --iommu adds intel-iommu and boots with intel_iommu=on iommu.strict=1.
# --egress adds what recording and streaming tests write to: two virtio-blk
# disks backed by sparse files (cache=none, so O_DIRECT reaches the device;
# serial "mcaprec", --disk-gb GiB (default 2), and "mcapfull", 64 MiB, to fill up), deleted when
# QEMU exits, and two NICs (MAC 52:54:00:4d:43:01 and :02) joined on a
# QEMU hub of their own: what one sends reaches the other and nothing else,
# no host networking. The NICs are e1000e (MCAP_EGRESS_NIC=virtio-net-pci
# for virtio): QEMU gives a virtio-net NIC checksum offload only with a
# backend that takes virtio-net headers (tap, vhost), which a hub is not,
# and without checksum offload the guest's stack copies every MSG_ZEROCOPY
# send; QEMU's e1000e computes checksums itself, so zero copy works.
# The guest reaches QEMU's QMP monitor through a virtio-serial port
# (test/vm/mcap-qmp.py), so tests can hot-unplug cards and inject faults.
# The guest sees mcap.bus=pci on its command line. The default bus,
# platform, uses Debian's QEMU and the in-kernel simulated card
# (multicap_sim), which the cases load themselves.
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
#   MCAP_KERNEL_DIR  as --kernel-dir
#   MCAP_MEM      guest memory in MB (default 2048; --mem wins)
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
KDIR=${MCAP_KERNEL_DIR:-}
TIMEOUT=1500
MEM=${MCAP_MEM:-2048}
RESULTS=
RUN=
BUS=platform
CARDS=1
CHANNELS=4
MODE=1920x1080p60
IOMMU=0
EGRESS=0
DISK_GB=2
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) KVER=${2:?}; shift 2 ;;
	--kernel-dir) KDIR=${2:?}; shift 2 ;;
	--timeout) TIMEOUT=${2:?}; shift 2 ;;
	--mem) MEM=${2:?}; shift 2 ;;
	--results) RESULTS=${2:?}; shift 2 ;;
	--run) RUN=${2:?}; shift 2 ;;
	--bus) BUS=${2:?}; shift 2 ;;
	--cards) CARDS=${2:?}; shift 2 ;;
	--channels) CHANNELS=${2:?}; shift 2 ;;
	--mode) MODE=${2:?}; shift 2 ;;
	--iommu) IOMMU=1; shift ;;
	--egress) EGRESS=1; shift ;;
	--disk-gb) DISK_GB=${2:?}; shift 2 ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
done
[ -n "$RESULTS" ] || die "--results DIR is required"
[ -n "$RUN" ] || die "--run SCRIPT is required"
case "$BUS" in platform|pci) ;; *) die "--bus must be platform or pci, not '$BUS'" ;; esac
case "$CARDS" in [1-8]) ;; *) die "--cards must be 1..8, not '$CARDS'" ;; esac
case "$DISK_GB" in [1-9]|[1-9][0-9]) ;; *) die "--disk-gb must be 1..99, not '$DISK_GB'" ;; esac
case "$CHANNELS" in [1-9]|1[0-6]) ;; *) die "--channels must be 1..16, not '$CHANNELS'" ;; esac

MODDIR=
if [ -n "$KDIR" ]; then
	[ -s "$KDIR/kver" ] && [ -r "$KDIR/vmlinuz" ] ||
		die "--kernel-dir $KDIR: no vmlinuz/kver (test/vm/build-kernel.sh makes one)"
	KDIR=$(cd "$KDIR" && pwd -P)
	KVER=$(cat "$KDIR/kver")
	KERNEL=$KDIR/vmlinuz
	MODDIR=$KDIR/lib/modules/$KVER
	[ -f "$MODDIR/modules.dep" ] || die "$MODDIR/modules.dep not found"
else
	if [ -z "$KVER" ]; then
		k=$(find /boot -maxdepth 1 -name 'vmlinuz-6.1.*' -printf '%f\n' | sed 's/^vmlinuz-//' |
			sort -V | tail -n 1)
		[ -n "$k" ] || die "no /boot/vmlinuz-6.1.* found; use --kernel KVER"
		KVER=$k
	fi
	KERNEL=/boot/vmlinuz-$KVER
	[ -r "$KERNEL" ] || die "kernel $KERNEL not found"
	[ -d "/lib/modules/$KVER" ] || die "/lib/modules/$KVER not found"
fi

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
	[ "$KERNEL" -nt "$INITRD" ] || [ "${MODDIR:-/lib/modules/$KVER}/modules.dep" -nt "$INITRD" ]; then
	MCAP_MODDIR=$MODDIR MCAP_KCONFIG=${KDIR:+$KDIR/config} "$HERE/mkinitramfs.sh" "$KVER" "$INITRD" >&2
fi

# only one VM at a time (the machine has 2 cores and each VM uses both);
# one lock for every checkout of the tree on this machine
exec 9>"${MCAP_VM_LOCK:-/var/lock/multicap-vm.lock}"
if ! flock -n 9; then
	echo "boot.sh: another test VM is running, waiting for it ..." >&2
	flock 9
fi

QEMU_BIN=qemu-system-x86_64
CARD_ARGS=()
if [ "$BUS" = pci ]; then
	# The PCI bus needs the QEMU with the multicap device: never fall back.
	if ! QEMU_BIN=$("$HERE/build-qemu.sh" | tail -n 1) || [ ! -x "$QEMU_BIN" ]; then
		die "QEMU with the multicap device could not be built (see above); --bus pci cannot run"
	fi
	[ "$IOMMU" = 0 ] || CARD_ARGS+=(-device "intel-iommu,intremap=off")
	# QEMU's QMP monitor, reachable from the guest (test/vm/mcap-qmp.py):
	# a server socket carries the monitor, and a client socket to it is the
	# backend of the virtio-serial port org.multicap.qmp.
	QMPDIR=$(mktemp -d /tmp/mcap-qmp.XXXXXX)
	CARD_ARGS+=(-chardev "socket,id=qmpsrv,path=$QMPDIR/qmp.sock,server=on,wait=off"
		-mon "chardev=qmpsrv,mode=control"
		-chardev "socket,id=qmpguest,path=$QMPDIR/qmp.sock,reconnect=1"
		-device "virtio-serial-pci,id=vser0"
		-device "virtserialport,bus=vser0.0,chardev=qmpguest,name=org.multicap.qmp")
	for ((c = 0; c < CARDS; c++)); do
		CARD_ARGS+=(-device "pcie-root-port,id=rp$c,chassis=$((c + 1)),slot=$((c + 1))"
			-device "multicap,bus=rp$c,id=mc$c,channels=$CHANNELS,mode=$MODE")
	done
fi

if [ "$EGRESS" = 1 ]; then
	DISKDIR=$(mktemp -d /var/tmp/mcap-disks.XXXXXX)
	truncate -s "${DISK_GB}G" "$DISKDIR/rec.img"
	truncate -s 64M "$DISKDIR/full.img"
	for d in rec full; do
		CARD_ARGS+=(-drive "if=none,id=d$d,file=$DISKDIR/$d.img,format=raw,cache=none,aio=threads"
			-device "virtio-blk-pci,drive=d$d,serial=mcap$d")
	done
	for n in 1 2; do
		CARD_ARGS+=(-netdev "hubport,id=nic$n,hubid=7"
			-device "${MCAP_EGRESS_NIC:-e1000e},netdev=nic$n,mac=52:54:00:4d:43:0$n")
	done
fi

ACCEL=(-accel "tcg,thread=multi")
if [ "${MCAP_KVM:-0}" = 1 ]; then
	ACCEL=(-enable-kvm -cpu host)
fi

CONSOLE=$RESULTS/console.log
: >"$CONSOLE"
APPEND="console=ttyS0 slub_debug=FZPU panic=-1 quiet loglevel=4"
APPEND="$APPEND mcap.kver=$KVER${MODDIR:+ mcap.moddir=$MODDIR} mcap.run=$RUN mcap.results=$RESULTS ${MCAP_APPEND:-}"
[ "$BUS" = platform ] || APPEND="$APPEND mcap.bus=$BUS"
[ "$IOMMU" = 0 ] || APPEND="$APPEND intel_iommu=on iommu.strict=1"

QEMU=("$QEMU_BIN" "${ACCEL[@]}" -smp "${MCAP_SMP:-2}" -m "$MEM"
	-machine "${MCAP_MACHINE:-q35}" -nodefaults -nographic -no-reboot
	-name "multicap-vm,debug-threads=on"
	-serial "file:$CONSOLE"
	-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND"
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$RESULTS,mount_tag=results,security_model=none,multidevs=remap"
	-device virtio-rng-pci "${CARD_ARGS[@]}")

echo "boot.sh: kernel $KVER, bus $BUS, $( [ "${MCAP_KVM:-0}" = 1 ] && echo KVM || echo TCG), timeout ${TIMEOUT}s, console $CONSOLE" >&2
START=$(date +%s)
timeout --signal=KILL "$TIMEOUT" "${QEMU[@]}" </dev/null &
QPID=$!
TAILPID=
if [ "${MCAP_QUIET:-0}" != 1 ]; then
	tail -n +1 -F --pid="$QPID" "$CONSOLE" 2>/dev/null &
	TAILPID=$!
fi
trap 'kill "$QPID" 2>/dev/null || true' INT TERM
trap 'rm -rf ${QMPDIR:+"$QMPDIR"} ${DISKDIR:+"$DISKDIR"}' EXIT
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

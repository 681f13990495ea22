#!/bin/bash
# build-kernel.sh - build a debug kernel for the multicap test VM
#
# Usage: test/vm/build-kernel.sh [--config debug|kcsan] [--force]
#        KDIR=$(test/vm/build-kernel.sh | tail -n 1)
#
# Builds Debian's linux-source-6.1 (the package's tarball under /usr/src)
# with x86_64_defconfig + kvm_guest.config + test/vm/kconfig/vm.config (what
# the VM needs: 9p/overlay root built in, V4L2, videobuf2 dma-sg, vivid,
# vgem, NICs, disks) + test/vm/kconfig/CONFIG.config (the checkers: KASAN,
# lockdep, kmemleak, DMA-API debug ... for "debug"; KCSAN for "kcsan").
# After olddefconfig every line of the fragments is checked: a symbol that
# did not take the asked value fails the build (no silent checker loss).
#
# Output, cached outside the tree and keyed by the inputs (the fragments,
# the source package's version and RECIPE below):
#   CACHE/kernel-CONFIG-HASH/vmlinuz, config, kver (the release string),
#   lib/modules/KVER/ (modules_install; its "build" link is the object tree,
#   so `make KDIR=.../build` builds multicap against it)
#   CACHE/kernel-CONFIG-HASH/build/   the O= object tree
# The source is unpacked once into CACHE/linux-source-VER/. Older builds of
# the same CONFIG are removed. The last line of stdout is the output dir.
# A build takes 30-60 minutes of both cores; the log is CACHE/build-CONFIG.log.
#
# Environment:
#   MCAP_CACHE   cache root (default /var/cache/multicap); CACHE is MCAP_CACHE/kernel
#   MCAP_JOBS    parallel compile jobs (default: number of CPUs)
# Exit status: 0 and the path on stdout, 1 when the build failed, 2 on usage errors.
set -euo pipefail
shopt -s inherit_errexit

HERE=$(cd "$(dirname "$0")" && pwd)
FRAGS=$HERE/kconfig
CACHE=${MCAP_CACHE:-/var/cache/multicap}/kernel
JOBS=${MCAP_JOBS:-$(nproc)}
PKG=linux-source-6.1
TARBALL=/usr/src/$PKG.tar.xz
DEPS=(bc bison flex libelf-dev libssl-dev dwarves cpio xz-utils rsync kmod)
# part of the cache key: change it when a change of the steps below changes
# what they build (not for comments: a rebuild takes the best part of an hour)
RECIPE=1

die() { echo "build-kernel.sh: $*" >&2; exit 2; }
say() { echo "build-kernel.sh: $*" >&2; }
fail() {
	[ ! -s "${LOG:-}" ] || tail -n 25 "$LOG" | sed 's/^/  | /' >&2
	echo "build-kernel.sh: kernel build FAILED: $1${LOG:+; log: $LOG}" >&2
	exit 1
}

CONFIG=debug
FORCE=0
while [ $# -gt 0 ]; do
	case "$1" in
	--config) CONFIG=${2:?}; shift 2 ;;
	--force) FORCE=1; shift ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
done
case "$CONFIG" in
debug|kcsan) ;;
*) die "--config must be debug or kcsan, not '$CONFIG'" ;;
esac

# ---- 1. the source package and the build tools -------------------------------
export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "$PKG" "${DEPS[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || fail "installing ${missing[*]} needs root"
	say "installing ${missing[*]}"
	apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
		{ apt-get update -q >&2 && apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; } ||
		fail "apt-get install ${missing[*]} failed"
fi
VER=$(dpkg-query -W -f='${Version}' "$PKG")
[ -r "$TARBALL" ] || fail "$TARBALL missing (package $PKG $VER)"

# the fragments' settings, not their comments
HASH=$( { echo "$VER $RECIPE"; grep -hv -e '^[[:space:]]*#' -e '^[[:space:]]*$' \
	"$FRAGS/vm.config" "$FRAGS/$CONFIG.config"; } | sha256sum | cut -c1-12)
OUT=$CACHE/kernel-$CONFIG-$HASH
LOG=$CACHE/build-$CONFIG.log
mkdir -p "$CACHE"
if [ "$FORCE" = 0 ] && [ -s "$OUT/vmlinuz" ] && [ -s "$OUT/kver" ]; then
	echo "$OUT"
	exit 0
fi

SRC=$CACHE/$PKG-$VER
if [ ! -f "$SRC/.unpacked" ]; then
	say "unpacking $TARBALL into $SRC"
	rm -rf "$SRC" "$SRC.tmp"
	mkdir -p "$SRC.tmp"
	tar -xJf "$TARBALL" -C "$SRC.tmp" --strip-components=1 || fail "cannot unpack $TARBALL"
	mv "$SRC.tmp" "$SRC"
	touch "$SRC/.unpacked"
fi

# ---- 2. configure ------------------------------------------------------------
BUILD=$OUT/build
mkdir -p "$BUILD"
: >"$LOG"
say "configuring $CONFIG into $BUILD (log $LOG)"
K=(make -C "$SRC" O="$BUILD" ARCH=x86_64)
{
	"${K[@]}" x86_64_defconfig &&
	"$SRC/scripts/kconfig/merge_config.sh" -m -O "$BUILD" "$BUILD/.config" \
		"$SRC/kernel/configs/kvm_guest.config" "$FRAGS/vm.config" "$FRAGS/$CONFIG.config" &&
	"${K[@]}" olddefconfig
} >>"$LOG" 2>&1 || fail "configuration"

# every fragment line must hold in the final .config
bad=()
while IFS= read -r line; do
	case "$line" in ''|'#'*) continue ;; esac
	sym=${line%%=*} val=${line#*=}
	if [ "$val" = n ]; then
		grep -q "^$sym=" "$BUILD/.config" && bad+=("$line (got $(grep "^$sym=" "$BUILD/.config"))")
	else
		grep -qxF "$line" "$BUILD/.config" ||
			bad+=("$line (got $(grep -E "^(# )?${sym}[= ]" "$BUILD/.config" || echo unset))")
	fi
done < <(cat "$FRAGS/vm.config" "$FRAGS/$CONFIG.config")
[ ${#bad[@]} -eq 0 ] || fail "config symbols did not take: ${bad[*]}"

# ---- 3. build and install ----------------------------------------------------
T0=$(date +%s)
say "building with $JOBS jobs (30-60 min)"
"${K[@]}" -j"$JOBS" bzImage modules >>"$LOG" 2>&1 || fail "make bzImage modules"
KVER=$("${K[@]}" -s kernelrelease)
rm -rf "${OUT:?}/lib"
"${K[@]}" INSTALL_MOD_PATH="$OUT" INSTALL_MOD_STRIP=1 DEPMOD=/sbin/depmod modules_install \
	>>"$LOG" 2>&1 || fail "modules_install"
ln -sfn "$BUILD" "$OUT/lib/modules/$KVER/build"
cp "$BUILD/arch/x86/boot/bzImage" "$OUT/vmlinuz"
cp "$BUILD/.config" "$OUT/config"
echo "$KVER" >"$OUT/kver"
say "built $KVER in $(( $(date +%s) - T0 )) s"

# older builds of this configuration
for d in "$CACHE"/kernel-"$CONFIG"-*; do
	[ "$d" = "$OUT" ] || rm -rf "$d"
done
echo "$OUT"

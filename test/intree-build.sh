#!/bin/sh
# intree-build.sh - build multicap inside a kernel tree, as drivers/media/pci/multicap/
#
# Usage: test/intree-build.sh
# The tree is Debian's linux-source-6.1, unpacked once into a cache outside
# the clone, keyed by the package version (MCAP_INTREE_CACHE, default
# /var/tmp/intree/<version>/): configured from the Debian headers' .config,
# hooked up (a `source` line in drivers/media/pci/Kconfig, an obj- line in
# its Makefile), VIDEO_MULTICAP and VIDEO_MULTICAP_SIM set to m, and
# modules_prepare'd. Every run then copies Kbuild, Kconfig, src/ and
# include/ into drivers/media/pci/multicap/, builds that directory with
# W=1, then links the modules against the headers' Module.symvers
# (M=drivers/media/pci/multicap), and fails on any warning or a missing
# multicap.o, multicap_sim.o, multicap.ko or multicap_sim.ko.
# JOBS (default 1) sets make -j.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOBS=${JOBS:-1}
PKG=linux-source-6.1

"$ROOT/test/install-deps.sh" "$PKG" flex bison bc libelf-dev libssl-dev
VER=$(dpkg-query -W -f='${Version}' "$PKG")
TAR=$(ls /usr/src/$PKG.tar.* | head -n 1)
CACHE=${MCAP_INTREE_CACHE:-/var/tmp/intree/$VER}
TREE=$CACHE/$PKG
HDRS=$(ls -d /usr/src/linux-headers-6.1.*-amd64 | sort -V | tail -n 1)
DIR=drivers/media/pci/multicap
LOG=$CACHE/build.log
start=$(date +%s)

# copy_driver: the driver as the kernel tree holds it
copy_driver() {
	rm -rf "${TREE:?}/$DIR"
	mkdir -p "$TREE/$DIR"
	(cd "$ROOT" && git ls-files -co --exclude-standard Kbuild Kconfig src include) |
		grep -v '^src/sim/qemu/' | (cd "$ROOT" && cpio -pdm --quiet "$TREE/$DIR")
}

if [ ! -f "$CACHE/.prepared" ]; then
	echo "intree: unpacking $PKG $VER into $CACHE"
	rm -rf "$CACHE"
	mkdir -p "$CACHE"
	tar -xf "$TAR" -C "$CACHE"
	copy_driver
	# Among the capture cards (MEDIA_CAMERA_SUPPORT), in name order.
	sed -i '\|^source "drivers/media/pci/solo6x10/Kconfig"$|i source "drivers/media/pci/multicap/Kconfig"' \
		"$TREE/drivers/media/pci/Kconfig"
	grep -q 'multicap/Kconfig' "$TREE/drivers/media/pci/Kconfig" ||
		{ echo "intree: no place for multicap in drivers/media/pci/Kconfig"; exit 1; }
	grep -q 'multicap/' "$TREE/drivers/media/pci/Makefile" ||
		echo 'obj-$(CONFIG_VIDEO_MULTICAP) += multicap/' >>"$TREE/drivers/media/pci/Makefile"
	cp "$HDRS/.config" "$TREE/.config"
	(cd "$TREE" &&
		scripts/config --module VIDEO_MULTICAP --module VIDEO_MULTICAP_SIM &&
		make -s olddefconfig &&
		echo "intree: make modules_prepare (-j$JOBS)" &&
		make -s -j"$JOBS" modules_prepare) >"$LOG" 2>&1 ||
		{ cat "$LOG"; exit 1; }
	cp "$HDRS/Module.symvers" "$TREE/Module.symvers"
	touch "$CACHE/.prepared"
fi

copy_driver
cd "$TREE"
make -s olddefconfig
for opt in VIDEO_MULTICAP VIDEO_MULTICAP_SIM; do
	grep -q "^CONFIG_$opt=m$" .config ||
		{ echo "intree: CONFIG_$opt is not m after olddefconfig"; exit 1; }
done
echo "intree: make W=1 $DIR/ (-j$JOBS)"
rc=0
make -j"$JOBS" W=1 "$DIR/" >"$LOG" 2>&1 || rc=1
echo "intree: make W=1 M=$DIR modules"
make -j"$JOBS" W=1 M="$DIR" modules >>"$LOG" 2>&1 || rc=1
# The kernel's own host tools (scripts/) are not ours to judge.
if grep -E 'warning:|error:|WARNING:|ERROR:' "$LOG" | grep -v '^scripts/'; then
	rc=1
fi
for f in multicap.o multicap_sim.o multicap.ko multicap_sim.ko; do
	if [ -f "$DIR/$f" ]; then
		echo "intree: $DIR/$f $(stat -c %s "$DIR/$f") bytes"
	else
		echo "intree: $DIR/$f missing"
		rc=1
	fi
done
[ $rc -eq 0 ] || { tail -n 30 "$LOG"; echo "intree: FAILED"; exit 1; }
echo "intree: ok in $(($(date +%s) - start)) s (tree: $TREE)"

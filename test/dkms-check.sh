#!/bin/sh
# dkms-check.sh - dkms add/build of multicap against every installed kernel's headers
#
# Usage: test/dkms-check.sh
# Copies the sources to a scratch source tree registered as multicap/0.1-test,
# builds with dkms for the 6.1 and 6.12 headers (when installed), and removes
# it again. Installs nothing into /lib/modules. Host-side; needs root.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
"$ROOT/test/install-deps.sh" dkms
VER=0.1-test
SRC=/usr/src/multicap-$VER
cleanup() {
	dkms remove "multicap/$VER" --all >/dev/null 2>&1 || true
	rm -rf "$SRC"
}
trap cleanup EXIT
cleanup
mkdir -p "$SRC"
cp -r "$ROOT/Kbuild" "$ROOT/src" "$ROOT/include" "$SRC/"
sed "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$VER\"/" "$ROOT/dkms.conf" >"$SRC/dkms.conf"
dkms add "multicap/$VER" >/dev/null
n=0
for k in /lib/modules/*; do
	k=${k##*/}
	[ -d "/lib/modules/$k/build" ] || continue
	grep -q '^CONFIG_VIDEO_DEV=[ym]' "/lib/modules/$k/build/.config" ||
		{ echo "dkms: $k has no V4L2, skipped (BUILD_EXCLUSIVE_CONFIG)"; continue; }
	dkms build "multicap/$VER" -k "$k" >/dev/null ||
		{ cat "/var/lib/dkms/multicap/$VER/build/make.log"; exit 1; }
	for m in multicap multicap_sim; do
		ls /var/lib/dkms/multicap/$VER/$k/*/module/$m.ko* >/dev/null
	done
	echo "dkms: built multicap and multicap_sim for $k"
	n=$((n + 1))
done
[ $n -gt 0 ] || { echo "dkms: no kernel headers found"; exit 1; }

#!/bin/sh
# build-matrix.sh - build both modules (W=1) against every installed header set
#
# Usage: test/compat/build-matrix.sh [KVER ...]
# Without arguments: every /lib/modules/*/build. Each build runs out of tree
# in a scratch copy of Kbuild, src/ and include/, so the work tree stays
# clean. Prints one table row per kernel (warnings counted from the compiler
# and modpost output) and fails if any build fails or warns. Kernels without
# V4L2 (Debian's cloud flavour) are listed, not built.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JOBS=${JOBS:-2}
# shellcheck disable=SC2046 # kernel release names have no blanks
[ $# -gt 0 ] || set -- $(printf '%s\n' /lib/modules/* | sed 's|.*/||' | sort -V)
TMP=$(mktemp -d /var/tmp/multicap-matrix.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

rc=0
printf '| %-30s | %-8s | %-6s | %s\n' kernel warnings result seconds
for kver in "$@"; do
	kdir=/lib/modules/$kver/build
	[ -d "$kdir" ] || continue
	if ! grep -q '^CONFIG_VIDEO_DEV=[ym]' "$kdir/.config"; then
		printf '| %-30s | %-8s | %-6s | %s\n' "$kver" - "no V4L2" -
		continue
	fi
	src=$TMP/$kver
	mkdir -p "$src"
	(cd "$ROOT" && git ls-files -co --exclude-standard Kbuild src include) |
		grep -v '^src/sim/qemu/' | (cd "$ROOT" && cpio -pdm --quiet "$src")
	start=$(date +%s)
	if make -C "$kdir" M="$src" W=1 -j"$JOBS" modules >"$TMP/$kver.log" 2>&1 &&
		[ -f "$src/multicap.ko" ] && [ -f "$src/multicap_sim.ko" ]; then
		result=ok
	else
		result=FAILED
		rc=1
	fi
	warnings=$(grep -c -E 'warning:|WARNING:' "$TMP/$kver.log" || true)
	[ "$warnings" -eq 0 ] || rc=1
	printf '| %-30s | %-8s | %-6s | %s\n' "$kver" "$warnings" "$result" \
		$(($(date +%s) - start))
	if [ "$result" != ok ] || [ "$warnings" -ne 0 ]; then
		grep -E 'error|warning|WARNING|\*\*\*' "$TMP/$kver.log" | head -n 20
	fi
done
exit $rc

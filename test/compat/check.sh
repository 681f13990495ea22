#!/bin/sh
# check.sh - the newest branches of include/multicap-compat.h compile, and
# the check notices when they do not
#
# Usage: test/compat/check.sh [KDIR]
# No headers newer than 6.12 can be installed here, so newest.c compiles
# the compat header with MULTICAP_LINUX_VERSION past every entry, against
# the newest installed headers (any from 6.1 on work) plus the stand-ins of
# newest-api.h, with what the newest kernels removed poisoned. Then, entry
# by entry, it moves the entry's version out of reach, so that its old
# branch meets the newest API: every such mutant must fail to compile.
# Also checks that no other file compares kernel versions. Object builds
# only (no modpost, no linking): a few seconds each.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HDR=$ROOT/include/multicap-compat.h
KVER=$(printf '%s\n' /lib/modules/* | sed 's|.*/||' | grep -E '^[0-9.]+(-[0-9]+|\+deb[0-9]+)-amd64$' | sort -V | tail -n 1)
KDIR=${1:-/lib/modules/$KVER/build}
TMP=$(mktemp -d /var/tmp/multicap-compat.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
rc=0

echo "== compat: kernel version checks live in multicap-compat.h only"
others=$(cd "$ROOT" && grep -rl -E 'LINUX_VERSION_CODE|KERNEL_VERSION' src include |
	grep -v -x include/multicap-compat.h || true)
if [ -n "$others" ]; then
	echo "compat: version checks outside include/multicap-compat.h: $others"
	rc=1
fi
if grep -n -E '^#\s*(el)?if[[:space:]].*(LINUX_VERSION|KERNEL_VERSION)' "$HDR"; then
	echo "compat: compare versions with MULTICAP_SINCE() only"
	rc=1
fi

# build NAME HEADER: compile newest.c with HEADER as multicap-compat.h
build() {
	dir=$TMP/$1
	mkdir -p "$dir/include"
	cp "$ROOT/test/compat/Kbuild" "$ROOT/test/compat/newest.c" \
		"$ROOT/test/compat/newest-api.h" "$dir/"
	cp "$2" "$dir/include/multicap-compat.h"
	make -C "$KDIR" M="$dir" W=1 KCFLAGS=-Werror newest.o >"$dir.log" 2>&1
}

echo "== compat: newest branches against $(basename "$(dirname "$KDIR")") headers"
if build newest "$HDR"; then
	echo "compat: newest branches compile"
else
	grep -E 'error|warning' "$TMP/newest.log" | head -n 20
	echo "compat: newest branches do not compile"
	rc=1
fi

echo "== compat: each entry's old branch must fail against the newest API"
n=0
for line in $(grep -n '^#if MULTICAP_SINCE(' "$HDR" | cut -d: -f1); do
	what=$(sed -n "${line}p" "$HDR" | sed 's/^#if //')
	sed "${line}s/MULTICAP_SINCE([^)]*)/MULTICAP_SINCE(255, 0, 0)/" "$HDR" >"$TMP/mutant.h"
	n=$((n + 1))
	if build "mutant$n" "$TMP/mutant.h"; then
		echo "compat: NOT caught: old branch of $what compiles as the newest"
		rc=1
	else
		why=$(grep -m 1 'error:' "$TMP/mutant$n.log" | sed 's/.*error: //')
		echo "compat: caught: old branch of $what: $why"
	fi
done
[ $n -gt 0 ] || { echo "compat: no entries found"; rc=1; }

[ $rc -eq 0 ] && echo "compat: clean ($n entries)" || echo "compat: findings above"
exit $rc

#!/bin/sh
# lint.sh - static checks of the kernel sources: checkpatch, sparse, W=1, kernel-doc, compat
#
# Usage: test/lint.sh [KDIR]
# Then test/compat/check.sh: the compat header's newest-kernel branches.
# checkpatch.pl --strict and scripts/kernel-doc come from Debian's
# linux-source-6.1 package (unpacked once into .build/lint/). Fails on any
# finding: checkpatch warning or check, sparse report, compiler warning, or
# kernel-doc warning.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KDIR=${1:-/lib/modules/$(ls /lib/modules | grep -E '^6\.1\.[0-9]+-[0-9]+-amd64$' | sort -V | tail -n 1)/build}
TOOLS=$ROOT/.build/lint
SRC_TAR=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)

"$ROOT/test/install-deps.sh" linux-source-6.1 sparse
SRC_TAR=$(ls /usr/src/linux-source-6.1.tar.* | head -n 1)
if [ ! -x "$TOOLS/scripts/checkpatch.pl" ] || [ "$SRC_TAR" -nt "$TOOLS/scripts/checkpatch.pl" ]; then
	mkdir -p "$TOOLS"
	tar -xf "$SRC_TAR" -C "$TOOLS" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch \
		linux-source-6.1/scripts/kernel-doc
	touch "$TOOLS/scripts/checkpatch.pl"
fi

cd "$ROOT"
COMPAT=include/multicap-compat.h
FILES=$(ls src/*.c src/*.h src/sim/*.c src/sim/*.h src/sim/model/*.c src/sim/model/multicap-model.h src/sim/model/multicap-model-port.h include/*.h test/compat/*.[ch] |
	grep -v -x "$COMPAT")
rc=0

echo "== checkpatch --strict"
# shellcheck disable=SC2086
"$TOOLS/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f $FILES || rc=1
# The one file whose job is version checks; its DMA adapter macro pastes
# names from its arguments, which checkpatch takes for argument reuse.
"$TOOLS/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,LINUX_VERSION_CODE,MACRO_ARG_REUSE \
	-f "$COMPAT" || rc=1

echo "== kernel-doc"
# shellcheck disable=SC2086
out=$("$TOOLS/scripts/kernel-doc" -none $FILES "$COMPAT" 2>&1) || true
if [ -n "$out" ]; then
	echo "$out"
	rc=1
fi

echo "== sparse (C=2) and W=1 -Werror"
make -s -C "$KDIR" M="$ROOT" clean >/dev/null
out=$(make -C "$KDIR" M="$ROOT" W=1 C=2 KCFLAGS=-Werror modules 2>&1) || rc=1
rep=$(echo "$out" | grep -E 'warning|error|sparse' || true)
if [ -n "$rep" ]; then
	echo "$rep"
	rc=1
fi

echo "== compat: the newest branches of $COMPAT"
test/compat/check.sh || rc=1

[ $rc -eq 0 ] && echo "lint: clean" || echo "lint: findings above"
exit $rc

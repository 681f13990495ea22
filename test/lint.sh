#!/bin/sh
# lint.sh - static checks: shellcheck on the shell scripts; checkpatch, sparse,
# W=1 and kernel-doc on the kernel sources
#
# Usage: test/lint.sh [KDIR]
# The scripts are every tracked *.sh and every tracked file whose first line
# is a #!/bin/sh or #!/bin/bash shebang (git ls-files); shellcheck follows
# the files they source from the top of the tree (-x -P), and reads the
# dialect from the shebang (the cases run under /bin/sh, dash).
# test/install-deps.sh installs Debian's shellcheck, sparse and
# linux-source-6.1 packages; checkpatch.pl --strict and scripts/kernel-doc
# come from the latter (unpacked once into .build/lint/). Fails on any
# finding: shellcheck warning or error, checkpatch warning or check, sparse
# report, compiler warning, or kernel-doc warning. Then test/import-graph.py
# --check (no call cycle among the driver files but the core and its bus
# glue) and test/compat/check.sh: the compat header's newest-kernel branches.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KDIR=${1:-/lib/modules/$(printf '%s\n' /lib/modules/* | sed 's|.*/||' | grep -E '^6\.1\.[0-9]+-[0-9]+-amd64$' | sort -V | tail -n 1)/build}
TOOLS=$ROOT/.build/lint
SRC_TAR=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)

"$ROOT/test/install-deps.sh" linux-source-6.1 sparse shellcheck
SRC_TAR=$(ls /usr/src/linux-source-6.1.tar.* | head -n 1)
if [ ! -x "$TOOLS/scripts/checkpatch.pl" ] || [ -n "$(find "$SRC_TAR" -newer "$TOOLS/scripts/checkpatch.pl")" ]; then
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
FILES=$(printf '%s\n' src/*.c src/*.h src/sim/*.c src/sim/*.h src/sim/model/*.c \
	src/sim/model/multicap-model.h src/sim/model/multicap-model-port.h include/*.h \
	test/compat/*.[ch] | grep -v -x "$COMPAT")
rc=0

# every tracked *.sh, and every tracked file with a sh or bash shebang
SH_RE='^#! *(/usr)?/bin/(env +)?(ba)?sh([[:space:]]|$)'
TRACKED=$(git -c core.quotePath=false ls-files) || { echo "lint: git ls-files failed: shellcheck needs a git checkout" >&2; exit 1; }
set --
while IFS= read -r f; do
	[ -f "$f" ] || continue
	case "$f" in
	*.sh) ;;
	*) head -n 1 "$f" | grep -Eq "$SH_RE" || continue ;;
	esac
	set -- "$@" "$f"
done <<EOF
$TRACKED
EOF
command -v shellcheck >/dev/null ||
	{ echo "lint: no shellcheck (test/install-deps.sh shellcheck)" >&2; exit 1; }
echo "== shellcheck -S warning ($# scripts)"
[ $# -gt 0 ] || { echo "lint: no shell script found"; rc=1; }
shellcheck -x -P "$ROOT" -S warning -f gcc "$@" || rc=1

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

echo "== layering: no call cycle among the driver files but core <-> bus glue"
python3 test/import-graph.py --check >/dev/null || { python3 test/import-graph.py | sed -n '/^## cycles/,$p'; rc=1; }

echo "== compat: the newest branches of $COMPAT"
test/compat/check.sh || rc=1

[ $rc -eq 0 ] && echo "lint: clean" || echo "lint: findings above"
exit $rc

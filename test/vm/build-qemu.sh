#!/bin/bash
# build-qemu.sh - build qemu-system-x86_64 with the multicap PCIe device
#
# Usage: test/vm/build-qemu.sh [--force]
#        QEMU=$(test/vm/build-qemu.sh | tail -n 1)
#
# Builds Debian's QEMU (the qemu source package of this release, 7.2) with
# the simulated multicap card as a PCIe device ("-device multicap"): the
# portable card model of src/sim/model/, include/multicap-regs.h and the
# QEMU glue of src/sim/qemu/ are copied into the QEMU tree as
# hw/misc/multicap/ and hooked into hw/misc/meson.build and hw/misc/Kconfig.
#
# Steps (each only when needed; progress and timings go to stderr):
#   1. install the build dependencies and the firmware (seabios, ipxe-qemu,
#      qemu-system-data) with apt-get;
#   2. add a deb-src entry mirroring the machine's Debian "deb" entries
#      (/etc/apt/sources.list.d/multicap-src.list; apt-get update only then);
#   3. `apt-get source qemu` into CACHE/src-VER/qemu (VER: the Debian
#      version); the tree is kept, keyed by that version only;
#   4. copy the device sources in (only files that changed);
#   5. configure into CACHE/src-VER/build: x86_64-softmmu only, no docs, UI,
#      tools, guest agent or user mode; TCG, KVM, virtfs, slirp; firmware
#      from Debian's seabios/ipxe-qemu/qemu-system-data;
#   6. `ninja qemu-system-x86_64`: incremental when only a device source
#      changed;
#   7. copy the binary to CACHE/qemu-VER-HASH/ and remove older ones.
# HASH is the sha256 (12 digits) of the device sources and of this script.
# When that binary exists already, nothing is built and its path is printed
# at once. The last line of stdout is always the binary's path. The build
# log is CACHE/build-VER.log.
#
# Options:
#   --force      rebuild (incrementally) even if the keyed binary exists
#
# Environment:
#   MCAP_CACHE   cache root (default /var/cache/multicap); CACHE is MCAP_CACHE/qemu
#   MCAP_JOBS    parallel compile jobs (default: number of CPUs)
# Exit status: 0 and the path on stdout, 1 when the build failed
# ("build-qemu.sh: QEMU build FAILED: <reason>; log: <path>"), 2 on usage errors.
set -euo pipefail
shopt -s inherit_errexit

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SELF=$HERE/$(basename "$0")

CACHE=${MCAP_CACHE:-/var/cache/multicap}/qemu
JOBS=${MCAP_JOBS:-$(nproc)}
FIRMWAREPATH=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu
SRC_LIST=/etc/apt/sources.list.d/multicap-src.list
LOG=

# build tools and libraries configure needs, then the firmware the binary loads
DEPS=(dpkg-dev gcc make pkg-config python3 meson ninja-build linux-libc-dev
	libglib2.0-dev libpixman-1-dev zlib1g-dev libattr1-dev libcap-ng-dev
	libfdt-dev libslirp-dev qemu-system-data seabios ipxe-qemu)

die() { echo "build-qemu.sh: $*" >&2; exit 2; }
say() { echo "build-qemu.sh: $*" >&2; }
fail() {
	[ -z "$LOG" ] || [ ! -s "$LOG" ] || tail -n 25 "$LOG" | sed 's/^/  | /' >&2
	echo "build-qemu.sh: QEMU build FAILED: $1; log: ${LOG:-none}" >&2
	exit 1
}

FORCE=0
while [ $# -gt 0 ]; do
	case "$1" in
	--force) FORCE=1; shift ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
done

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-q -o DPkg::Lock::Timeout=600)

need_root() {
	[ "$(id -u)" = 0 ] || fail "$1 needs root (run as root once)"
}

# ---- 1. build dependencies and firmware --------------------------------------
installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${DEPS[@]}" 2>/dev/null |
	awk '$NF == "installed" { print $1 }') || true
missing=()
for p in "${DEPS[@]}"; do
	grep -qx "$p" <<<"$installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	need_root "installing ${missing[*]}"
	say "installing ${missing[*]}"
	if ! apt-get install -y "${APT_OPTS[@]}" --no-install-recommends "${missing[@]}" >&2; then
		# stale package lists: refresh once and retry
		apt-get update "${APT_OPTS[@]}" >&2 || fail "apt-get update failed"
		apt-get install -y "${APT_OPTS[@]}" --no-install-recommends "${missing[@]}" >&2 ||
			fail "apt-get install ${missing[*]} failed"
	fi
fi

# ---- 2. a deb-src entry, and the source version ------------------------------
# Print "deb-src [signed-by=...] URI SUITE COMPONENTS" for every Debian
# "deb" entry of this release (one-line and deb822 formats).
debsrc_lines() {
	local codename f
	codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)
	codename=${codename:-bookworm}
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		if [ ! -r "$f" ] || [ "$f" = "$SRC_LIST" ]; then
			continue
		fi
		awk -v cn="$codename" '
		$1 == "deb" {
			opts = ""; i = 2
			if ($2 ~ /^\[/) {
				while (i <= NF && $i !~ /\]$/) { opts = opts " " $i; i++ }
				opts = opts " " $i; i++
			}
			uri = $i; suite = $(i + 1); comps = ""
			for (j = i + 2; j <= NF && $j !~ /^#/; j++) comps = comps " " $j
			if (suite ~ ("^" cn "(-updates|-security)?$"))
				print "deb-src" opts, uri, suite comps
		}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk -v cn="$codename" '
		function flush(   nu, ns, u, s, k, opts) {
			if (types ~ /(^| )deb( |$)/ && enabled != "no" && uris != "") {
				opts = signed != "" ? " [signed-by=" signed "]" : ""
				nu = split(uris, u, " "); ns = split(suites, s, " ")
				for (k = 1; k <= nu; k++)
					for (m = 1; m <= ns; m++)
						if (s[m] ~ ("^" cn "(-updates|-security)?$"))
							print "deb-src" opts, u[k], s[m], comps
			}
			types = uris = suites = comps = signed = enabled = ""
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		{
			key = tolower($1); sub(/:$/, "", key)
			val = $0; sub(/^[^:]*:[ \t]*/, "", val)
			if (key == "types") types = val
			else if (key == "uris") uris = val
			else if (key == "suites") suites = val
			else if (key == "components") comps = val
			else if (key == "signed-by") signed = val
			else if (key == "enabled") enabled = tolower(val)
		}
		END { flush() }' "$f"
	done
}

# index files of the configured deb-src entries (empty: none configured)
src_targets() {
	# shellcheck disable=SC2016 # an apt format string, not a shell expansion
	apt-get indextargets --format '$(FILENAME)' 'Created-By: Sources' 2>/dev/null || true
}

# The source version, remembered until the apt source indices change (asking
# apt costs seconds, and a cached build should print its path at once).
VERFILE=$CACHE/.source-version
shopt -s nullglob
lists=(/var/lib/apt/lists/*_source_Sources*)
shopt -u nullglob
VER=
if [ -s "$VERFILE" ] && [ ${#lists[@]} -gt 0 ] &&
	[ -z "$(find "${lists[@]}" /etc/apt/sources.list.d -newer "$VERFILE" -print -quit)" ]; then
	VER=$(cat "$VERFILE")
fi

# Make sure a deb-src entry exists (adding one and updating if not) and
# print the version of the qemu source package apt would fetch.
source_version() {
	local targets need_update lines t dsc VER
	targets=$(src_targets)
	need_update=0
	if [ -z "$targets" ]; then
		need_root "adding a deb-src entry"
		lines=$(debsrc_lines | sort -u)
		[ -n "$lines" ] || fail "no Debian 'deb' entry found in /etc/apt/sources.list*"
		say "adding $SRC_LIST:"
		printf '%s\n' "$lines" | sed 's/^/  /' >&2
		{
			echo "# added by multicap test/vm/build-qemu.sh: Debian sources (apt-get source qemu)"
			printf '%s\n' "$lines"
		} >"$SRC_LIST"
		need_update=1
	else
		while read -r t; do
			[ -e "$t" ] || need_update=1
		done <<<"$targets"
	fi
	if [ "$need_update" = 1 ]; then
		need_root "apt-get update"
		say "apt-get update (source indices)"
		apt-get update "${APT_OPTS[@]}" >&2 || fail "apt-get update failed"
	fi

	dsc=$(apt-get source --only-source --print-uris qemu 2>/dev/null |
		sed -n "s/^'[^']*' \(qemu_[^ ]*\.dsc\) .*/\1/p" | head -n 1)
	[ -n "$dsc" ] || fail "no qemu source package in the apt source indices"
	VER=${dsc#qemu_}
	VER=${VER%.dsc}
	echo "$VER"
}

if [ -z "$VER" ]; then
	VER=$(source_version) || exit 1
	if mkdir -p "$CACHE" 2>/dev/null && echo "$VER" >"$VERFILE.tmp"; then
		mv "$VERFILE.tmp" "$VERFILE"
	fi
fi

# ---- the cache key -----------------------------------------------------------
cd "$ROOT"
shopt -s nullglob
MODEL_FILES=(src/sim/model/*.[ch])
mapfile -t QEMU_FILES < <(find src/sim/qemu -type f | LC_ALL=C sort)
shopt -u nullglob
[ ${#MODEL_FILES[@]} -gt 0 ] || fail "no model sources in src/sim/model/"
[ -f src/sim/qemu/multicap-pci.c ] || fail "src/sim/qemu/multicap-pci.c is missing"
KEY_FILES=("${MODEL_FILES[@]}" "${QEMU_FILES[@]}" include/multicap-regs.h
	"${SELF#"$ROOT"/}")
HASH=$(sha256sum "${KEY_FILES[@]}" | sha256sum | cut -c1-12)
OUTDIR=$CACHE/qemu-$VER-$HASH
BIN=$OUTDIR/qemu-system-x86_64

if [ "$FORCE" = 0 ] && [ -x "$BIN" ]; then
	echo "$BIN"
	exit 0
fi

# ---- 3. the source tree, fetched once per Debian version ---------------------
mkdir -p "$CACHE"
exec 8>"$CACHE/.lock"
if ! flock -n 8; then
	say "another build-qemu.sh is running, waiting for it ..."
	flock 8
fi
if [ "$FORCE" = 0 ] && [ -x "$BIN" ]; then	# built meanwhile
	echo "$BIN"
	exit 0
fi

TREE=$CACHE/src-$VER
SRC=$TREE/qemu
BUILD=$TREE/build
LOG=$CACHE/build-$VER.log
: >"$LOG"
T_FETCH=0 T_CONF=0

if [ ! -f "$TREE/.unpacked" ]; then
	t0=$SECONDS
	say "fetching and unpacking Debian's qemu $VER into $TREE"
	rm -rf "$TREE"
	mkdir -p "$TREE/dl"
	chmod 755 "$TREE" "$TREE/dl"	# apt downloads as user _apt
	(cd "$TREE/dl" && apt-get source "${APT_OPTS[@]}" --only-source qemu) >>"$LOG" 2>&1 ||
		fail "apt-get source qemu failed"
	[ -f "$TREE/dl/qemu_$VER.dsc" ] ||
		fail "apt-get source fetched another version than $VER (apt indices changed?)"
	d=$(find "$TREE/dl" -mindepth 1 -maxdepth 1 -type d -name 'qemu-*' | head -n 1)
	if [ -z "$d" ] || [ ! -x "$d/configure" ]; then
		fail "apt-get source did not unpack a qemu tree"
	fi
	mv "$d" "$SRC"
	rm -rf "$TREE/dl"
	touch "$TREE/.unpacked"
	T_FETCH=$((SECONDS - t0))
	say "source fetched in ${T_FETCH}s"
fi

# ---- 4. the device sources into hw/misc/multicap/, hooked in -----------------
DEV=$SRC/hw/misc/multicap
mkdir -p "$DEV"
declare -A WANT=()
copy_in() {	# SRCFILE DESTNAME: copy only when changed, so ninja sees real changes
	local dst=$DEV/$2
	WANT[$2]=1
	mkdir -p "$(dirname "$dst")"
	cmp -s "$1" "$dst" || cp "$1" "$dst"
}
for f in "${MODEL_FILES[@]}" include/multicap-regs.h; do
	copy_in "$f" "$(basename "$f")"
done
for f in "${QEMU_FILES[@]}"; do
	copy_in "$f" "${f#src/sim/qemu/}"
done
while read -r f; do
	[ -n "${WANT[${f#"$DEV"/}]:-}" ] || rm -f "$f"
done < <(find "$DEV" -type f)
for f in "${MODEL_FILES[@]}"; do
	case "$f" in
	*.c) grep -q "'$(basename "$f")'" "$DEV/meson.build" ||
		fail "$f is not listed in src/sim/qemu/meson.build" ;;
	esac
done

grep -qx "subdir('multicap')" "$SRC/hw/misc/meson.build" ||
	echo "subdir('multicap')" >>"$SRC/hw/misc/meson.build"
grep -qx "source multicap/Kconfig" "$SRC/hw/misc/Kconfig" ||
	printf '\nsource multicap/Kconfig\n' >>"$SRC/hw/misc/Kconfig"

# ---- 5. configure, once per tree (again only if these options change) --------
CONF=(--target-list=x86_64-softmmu
	--without-default-features
	--disable-user --disable-linux-user --disable-bsd-user
	--disable-tools --disable-guest-agent --disable-docs --disable-werror
	--disable-gtk --disable-sdl --disable-vnc --disable-spice --disable-opengl
	--disable-curses --disable-debug-info --disable-install-blobs
	--enable-tcg --enable-kvm --enable-virtfs --enable-attr --enable-cap-ng
	--enable-slirp --enable-fdt=system
	"--firmwarepath=$FIRMWAREPATH")
if [ ! -f "$BUILD/build.ninja" ] || ! printf '%s\n' "${CONF[@]}" | cmp -s - "$BUILD/.mcap-configure"; then
	t0=$SECONDS
	say "configuring $SRC"
	rm -rf "$BUILD"
	mkdir -p "$BUILD"
	(cd "$BUILD" && ../qemu/configure "${CONF[@]}") >>"$LOG" 2>&1 ||
		fail "configure failed"
	printf '%s\n' "${CONF[@]}" >"$BUILD/.mcap-configure"
	T_CONF=$((SECONDS - t0))
	say "configured in ${T_CONF}s"
fi

# ---- 6. build: incremental in the kept tree ----------------------------------
t0=$SECONDS
say "building qemu-system-x86_64 ($JOBS jobs; log $LOG)"
ninja -C "$BUILD" -j "$JOBS" qemu-system-x86_64 >>"$LOG" 2>&1 ||
	fail "ninja qemu-system-x86_64 failed"
T_BUILD=$((SECONDS - t0))
"$BUILD/qemu-system-x86_64" -device help 2>/dev/null | grep -q '"multicap"' ||
	fail "the binary has no multicap device (Kconfig hook?)"

# ---- 7. the keyed binary; older ones (and trees of other versions) go --------
rm -rf "$OUTDIR.tmp"
mkdir -p "$OUTDIR.tmp"
cp "$BUILD/qemu-system-x86_64" "$OUTDIR.tmp/"
printf 'debian qemu %s\nhash %s\n' "$VER" "$HASH" >"$OUTDIR.tmp/BUILD-INFO"
(cd "$ROOT" && sha256sum "${KEY_FILES[@]}") >>"$OUTDIR.tmp/BUILD-INFO"
rm -rf "$OUTDIR"
mv "$OUTDIR.tmp" "$OUTDIR"
for d in "$CACHE"/qemu-*-*/; do
	d=${d%/}
	[ "$d" = "$OUTDIR" ] || rm -rf "$d"
done
for d in "$CACHE"/src-*/; do
	d=${d%/}
	[ "$d" = "$TREE" ] || rm -rf "$d" "$CACHE/build-${d#"$CACHE"/src-}.log"
done

say "done: fetch ${T_FETCH}s, configure ${T_CONF}s, build ${T_BUILD}s"
echo "$BIN"

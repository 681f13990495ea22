#!/bin/sh
# 22-integrity-lpc.sh - Tagged Lines integrity at other lines-per-chunk
#
# The card moves a frame in chunks of lines_per_chunk lines (driver module
# parameter, default 16, which every other case uses); the driver builds
# each buffer's descriptor list per chunk. For 1 (a descriptor per line),
# 7 (divides neither 240 nor 360 lines: a short last chunk) and 64 (fewer,
# larger chunks, the last one short) the driver is reloaded with that
# value, which must show in /sys/module/multicap/parameters and in the
# LINES field of the card's FORMAT register, and mcap-integrity checks
# every byte of 8 frames on two 320x240p30 channels at once: YUYV packed,
# NV12 packed (luma and chroma lines) and NV12 with 36 bytes of line
# padding (a descriptor per line), MMAP.
# timeout: 600
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

# load LPC: the driver with lines_per_chunk=LPC, two channels at 320x240p30
load() {
	if [ "$MCAP_BUS" = pci ]; then
		# the QEMU cards' inputs first, then the driver probes them
		mcap_pci_params channels=2 mode=320x240p30
		mcap_load_driver lines_per_chunk="$1"
		udevadm settle --timeout=30 2>/dev/null || true
	else
		mcap_load_driver lines_per_chunk="$1"
		mcap_load_sim channels=2 mode=320x240p30 || fail "load multicap_sim"
	fi
}

for lpc in 1 7 64; do
	echo "== lines_per_chunk=$lpc"
	load $lpc
	got=$(cat /sys/module/multicap/parameters/lines_per_chunk)
	[ "$got" = "$lpc" ] || fail "lines_per_chunk is $got, loaded with $lpc"
	# shellcheck disable=SC2046 # one word per node
	set -- $(mcap_nodes)
	[ $# -ge 2 ] || fail "expected 2 nodes, have $#"
	n0=$1 n1=$2
	for run in "YUYV 0" "NV12 0" "NV12 36"; do
		set -- $run
		"$MCAP_TOOLS/mcap-integrity" -i mmap -f "$1" -p "$2" -n 8 "$n0" "$n1" ||
			fail "lines_per_chunk=$lpc $1 pad $2: integrity"
	done
	# the card was programmed with it: FORMAT bits 23:16 (LINES)
	sysdir=/sys/class/video4linux/$(basename "$n0")
	dbg=/sys/kernel/debug/multicap/$(basename "$(readlink -f "$sysdir/device")")
	ch=$(cat "$sysdir/index")
	fmtreg=$(sed -n "s/.* ch$ch\\.FORMAT *//p" "$dbg/registers")
	[ -n "$fmtreg" ] || fail "no ch$ch.FORMAT in $dbg/registers"
	lines=$(((fmtreg >> 16) & 255))
	echo "ch$ch.FORMAT $fmtreg: $lines lines per chunk"
	[ "$lines" -eq "$lpc" ] ||
		fail "the card moves $lines lines per chunk, the driver was loaded with $lpc"
	mcap_unload
done
echo "integrity at lines_per_chunk 1, 7, 64 OK"

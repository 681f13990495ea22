#!/bin/sh
# 42-registers.sh - the debugfs register dump holds what the driver programmed
#
# Loads the driver with lines_per_chunk=7 (not the card's reset value, 16)
# on a 4-channel card, gives channel 1 another input (640x480p30, taken with
# S_DV_TIMINGS) and streams three channels with v4l2-ctl, each with its own
# settings: ch0 NV12 Tagged Lines; ch1 RGB24 colour bars with progress
# events every 64 lines; ch2 GREY Tagged Lines at 15 fps (S_PARM: 1 frame in
# 2). Channel 3 stays idle. Then reads <debugfs>/multicap/<card>/registers:
#  - ID "MCAP", VERSION 2.0, CAPS with IRQ, DATA_READY, TPG, DECIMATE,
#    DMA64, CLOCK and EVENTS, NUM_CHANNELS = the card's nodes;
#  - IRQ_ENABLE on, IRQ_MASK with FRAME(n) and INPUT(n) of every streaming
#    channel and nothing beyond the card's channels;
#  - per streaming channel: CTRL.ENABLE and STATUS.BUSY/SIGNAL/LOCKED set,
#    no error bit; FORMAT = the hardware code of the node's G_FMT
#    pixelformat and 7 lines per chunk; CAP_SIZE and IN_SIZE = G_FMT's
#    width and height; TPG = the test_pattern control; DECIMATE = what
#    S_PARM asked; EVENTS = the progress control; RING_SIZE 64 at a 64-byte
#    aligned RING_BASE with at most the 4 requested buffers between CONS and
#    PROD; CAP_FRAME_NS within 1% of IN_FRAME_NS; FRAME_COUNT advancing;
#  - the idle channel: CTRL 0, not BUSY;
#  - after the captures end: every channel's CTRL.ENABLE and STATUS.BUSY
#    clear and FRAME_COUNT standing still.
# timeout: 600
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

LPC=7
out=$MCAP_CASE_OUT
[ "$MCAP_BUS" = pci ] && mcap_pci_params mode=320x240p30
mcap_load_driver lines_per_chunk=$LPC
if [ "$MCAP_BUS" = pci ]; then
	udevadm settle --timeout=30 2>/dev/null || true
else
	mcap_load_sim channels=4 mode=320x240p30 || fail "load sim"
fi
# shellcheck disable=SC2046 # one word per node
set -- $(mcap_nodes)
[ $# -ge 4 ] || fail "$# multicap nodes, expected 4"
NODES=$#
REGS=$(mcap_card_dbg "$1")/registers
[ -r "$REGS" ] || fail "no register dump at $REGS"

GLOBAL="ID VERSION CAPS NUM_CHANNELS IRQ_STATUS IRQ_MASK DATA_READY IRQ_ENABLE"
CHREGS="CTRL STATUS IN_SIZE IN_FRAME_NS FORMAT DECIMATE TPG RING_BASE_LO
	RING_BASE_HI RING_SIZE RING_PROD RING_CONS FRAME_COUNT CAP_SIZE
	CAP_FRAME_NS EVENTS"

# The dump, "OFF NAME 0xVALUE" a line, as shell variables R_<name> (ch0.FORMAT
# becomes R_ch0_FORMAT). A malformed line or a register missing fails.
regs_load() {
	cp "$REGS" "$out/$1.txt" || fail "cannot read $REGS"
	_bad=$(grep -Evc '^[0-9a-f]{3} [A-Za-z0-9_.]+ +0x[0-9a-f]{8}$' "$out/$1.txt")
	[ "$_bad" -eq 0 ] || fail "$1: $_bad malformed lines in $REGS"
	eval "$(awk '{ n = $2; gsub(/\./, "_", n); print "R_" n "=$((" $3 "))" }' \
		"$out/$1.txt")"
	when=$1
	_c=0
	_names=$GLOBAL
	while [ $_c -lt "$NODES" ]; do
		for _n in $CHREGS; do
			_names="$_names ch${_c}_$_n"
		done
		_c=$((_c + 1))
	done
	for _n in $_names; do
		eval "_v=\${R_$_n:-}"
		[ -n "$_v" ] || fail "$when: no $_n in the register dump"
	done
}

# rv NAME: the value of register NAME in the last dump loaded
rv() {
	eval "echo \"\$R_$1\""
}

# chk NAME MASK WANT WHAT: (register NAME & MASK) == WANT
chk() {
	_v=$(rv "$1")
	[ $((_v & $2)) -eq $(($3)) ] ||
		fail "$when: $1 = $(printf 0x%08x "$_v"): expected $(printf 0x%x $(($3))) under mask $2 ($4)"
}

# the hardware code of a fourcc (include/multicap-regs.h)
hw_code() {
	case $1 in
	YUYV) echo 0 ;; UYVY) echo 1 ;; RGB3) echo 2 ;; BGR3) echo 3 ;;
	GREY) echo 4 ;; XR24) echo 5 ;; NV12) echo 6 ;; NV16) echo 7 ;;
	*) fail "unknown pixelformat $1" ;;
	esac
}

# G_FMT of node $1: sets FOURCC, WIDTH, HEIGHT
get_fmt() {
	v4l2-ctl -d "$1" --get-fmt-video >"$out/fmt.txt" 2>&1 || fail "$1: G_FMT"
	FOURCC=$(sed -n "s/.*Pixel Format *: *'\([A-Z0-9 ]*\)'.*/\1/p" "$out/fmt.txt")
	WIDTH=$(sed -n 's|.*Width/Height *: *\([0-9]*\)/[0-9]*.*|\1|p' "$out/fmt.txt")
	HEIGHT=$(sed -n 's|.*Width/Height *: *[0-9]*/\([0-9]*\).*|\1|p' "$out/fmt.txt")
	if [ -z "$FOURCC" ] || [ -z "$WIDTH" ] || [ -z "$HEIGHT" ]; then
		fail "$1: cannot parse G_FMT: $(cat "$out/fmt.txt")"
	fi
}

# ch1: another input, which the node takes with S_DV_TIMINGS
mcap_input 0 1 640x480p30 || fail "ch1 input"
sleep 0.5
v4l2-ctl -d "$2" --set-dv-bt-timings query >/dev/null || fail "$2: S_DV_TIMINGS"

# channel, node, format, test pattern, extra v4l2-ctl options
set -- "0 $1 NV12 2" "1 $2 RGB3 1 --set-ctrl=progress_event_lines=64" \
	"2 $3 GREY 2 --set-parm=15"
pids=
# a failed check must not leave captures holding the nodes
trap 'kill $pids 2>/dev/null' EXIT
for s in "$@"; do
	# shellcheck disable=SC2086 # the fields of $s
	set -- $s
	c=$1 v=$2 f=$3 t=$4
	shift 4
	v4l2-ctl -d "$v" --set-fmt-video=pixelformat="$f" --set-ctrl=test_pattern="$t" \
		"$@" --stream-mmap=4 --stream-count=1000000 >"$out/ch$c.txt" 2>&1 &
	pids="$pids $!"
done
sleep 3
for p in $pids; do
	kill -0 "$p" 2>/dev/null || fail "a capture ended early: $(cat "$out"/ch*.txt)"
done

regs_load streaming
chk ID 0xffffffff 0x5041434d "MCAP"
chk VERSION 0xffffffff 0x00020000 "version 2.0"
chk CAPS 0x7f 0x7f "IRQ, DATA_READY, TPG, DECIMATE, DMA64, CLOCK, EVENTS"
chk NUM_CHANNELS 0xffffffff "$NODES" "the card's nodes"
chk IRQ_ENABLE 1 1 "interrupts on"
all=$(((1 << NODES) - 1))
chk IRQ_MASK $((~(all | all << 16) & 0xffffffff)) 0 "no cause beyond $NODES channels"
frames0=
for s in "0 $(mcap_nodes | sed -n 1p) 2 0 0" \
	 "1 $(mcap_nodes | sed -n 2p) 1 0 $((64 << 16))" \
	 "2 $(mcap_nodes | sed -n 3p) 2 1 0"; do
	# shellcheck disable=SC2086 # the fields of $s
	set -- $s
	c=$1 v=$2 tpg=$3 dec=$4 ev=$5
	get_fmt "$v"
	code=$(hw_code "$FOURCC")
	size=$((WIDTH | HEIGHT << 16))
	echo "ch$c: $FOURCC ${WIDTH}x$HEIGHT: FORMAT $(printf 0x%08x "$(rv "ch${c}_FORMAT")"), CAP_SIZE $(printf 0x%08x "$(rv "ch${c}_CAP_SIZE")"), TPG $(rv "ch${c}_TPG"), DECIMATE $(rv "ch${c}_DECIMATE"), EVENTS $(printf 0x%x "$(rv "ch${c}_EVENTS")")"
	chk IRQ_MASK $((1 << c | 1 << (16 + c))) $((1 << c | 1 << (16 + c))) "FRAME($c) and INPUT($c)"
	chk "ch${c}_CTRL" 1 1 "ENABLE while streaming"
	chk "ch${c}_STATUS" 0x307 0x7 "SIGNAL, LOCKED, BUSY, no error"
	chk "ch${c}_FORMAT" 0xffffffff $((LPC << 16 | code)) "$FOURCC, $LPC lines per chunk"
	chk "ch${c}_CAP_SIZE" 0xffffffff $size "G_FMT ${WIDTH}x$HEIGHT"
	chk "ch${c}_IN_SIZE" 0xffffffff $size "the input, ${WIDTH}x$HEIGHT"
	chk "ch${c}_TPG" 0xffffffff "$tpg" "test_pattern=$tpg"
	chk "ch${c}_DECIMATE" 0xffffffff "$dec" "S_PARM"
	chk "ch${c}_EVENTS" 0xffffffff "$ev" "progress_event_lines"
	chk "ch${c}_RING_SIZE" 0xffffffff 64 "MULTICAP_RING_SIZE"
	chk "ch${c}_RING_BASE_LO" 63 0 "64-byte aligned"
	[ $(($(rv "ch${c}_RING_BASE_LO") | $(rv "ch${c}_RING_BASE_HI"))) -ne 0 ] ||
		fail "ch$c: no ring base"
	inflight=$((($(rv "ch${c}_RING_PROD") - $(rv "ch${c}_RING_CONS")) & 0xffff))
	[ "$inflight" -le 4 ] || fail "ch$c: $inflight ring entries ready, 4 buffers requested"
	cap=$(rv "ch${c}_CAP_FRAME_NS")
	in=$(rv "ch${c}_IN_FRAME_NS")
	if [ "$in" -eq 0 ] || [ $((cap - in)) -gt $((in / 100)) ] ||
	   [ $((in - cap)) -gt $((in / 100)) ]; then
		fail "ch$c: CAP_FRAME_NS $cap, IN_FRAME_NS $in"
	fi
	frames0="$frames0 $(rv "ch${c}_FRAME_COUNT")"
done
chk ch3_CTRL 0xffffffff 0 "idle channel"
chk ch3_STATUS 4 0 "idle channel not BUSY"

sleep 1
regs_load "streaming, 1 s later"
c=0
for f0 in $frames0; do
	f1=$(rv "ch${c}_FRAME_COUNT")
	echo "ch$c: FRAME_COUNT $f0 -> $f1 in 1 s"
	[ "$f1" -gt "$f0" ] || fail "ch$c: FRAME_COUNT stands still while streaming"
	c=$((c + 1))
done

# shellcheck disable=SC2086 # a list of PIDs
kill $pids
# shellcheck disable=SC2086
mcap_wait_exit 10 $pids || fail "a capture does not end"
pids=
regs_load stopped
frames0=
for c in 0 1 2 3; do
	chk "ch${c}_CTRL" 1 0 "ENABLE off after STREAMOFF"
	chk "ch${c}_STATUS" 4 0 "not BUSY after STREAMOFF"
	frames0="$frames0 $(rv "ch${c}_FRAME_COUNT")"
done
sleep 0.5
regs_load "stopped, 0.5 s later"
c=0
for f0 in $frames0; do
	f1=$(rv "ch${c}_FRAME_COUNT")
	[ "$f1" -eq "$f0" ] ||
		fail "ch$c: FRAME_COUNT moves after STREAMOFF ($f0 -> $f1)"
	c=$((c + 1))
done
mcap_unload
echo "registers OK"

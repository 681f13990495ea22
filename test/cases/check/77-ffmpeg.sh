#!/bin/sh
# 77-ffmpeg.sh - FFmpeg (ffmpeg -f v4l2) as a client, and the names it shows
#
# Names: each node's VIDIOC_QUERYCAP card is its sysfs name, "multicap card
# N ch M" (M its channel), unique; bus_info is its card's ("platform:" or
# "PCI:" and the device), one card number per bus_info; `ffmpeg -sources
# v4l2` lists every node by that name; udev/60-multicap.rules (put in
# /run/udev/rules.d for this case) links /dev/multicap/cardN/chM to it.
# FFmpeg, Tagged Lines (test_pattern=2) at 320x240, through those links:
# - -list_formats all: the formats v4l2-ctl --list-formats lists, in its
#   order; FFmpeg names 7 of them (yuyv422 uyvy422 rgb24 bgr24 gray bgr0
#   nv12; NV16 it has no name for, "Unsupported", so it cannot capture it).
# - 20 frames in each format FFmpeg names (two runs of 4 inputs at once)
#   to -f rawvideo, every byte of every frame checked (mcap-rawcheck).
#   FFmpeg takes only packed lines (it expects bytesused = the packed frame)
#   and asks for them (bytesperline 0): a padded bytesperline left by an
#   earlier client must be reset by its S_FMT. -fps_mode passthrough:
#   FFmpeg's default for rawvideo (constant rate) would repeat frames.
# - A 2x2 xstack mosaic of the 4 channels in GREY (no pixel conversion):
#   20 frames of 640x480, every byte of every tile checked, each tile the
#   Tagged Lines of its own channel, in channel order.
# - Timestamps (-copyts, showinfo pts against the frames' tags): by default
#   FFmpeg passes the driver's CLOCK_MONOTONIC stamps on, which must lie
#   within the run and be spaced by the frame period within 50 us per
#   frame-number step. With -ts abs FFmpeg must recognise them as monotonic
#   ("Detected monotonic timestamps, converting") and convert them to
#   wall-clock time: within the run, rising, spaced by the period within a
#   quarter period (its conversion filters its two clock reads, so a
#   scheduling delay between them moves a stamp by a fraction of it).
# - -framerate 30 on a 60 Hz input: FFmpeg's S_PARM makes G_PARM 30 fps,
#   while and after it streams; the frames' stamps are spaced by two input
#   periods per frame-number step (decimated frames are not counted, so
#   the tags' frame numbers go up by 1 a captured frame).
# - Cable pulled, another mode, the first mode back, while FFmpeg records:
#   FFmpeg ignores V4L2_EVENT_SOURCE_CHANGE and the card keeps sending
#   frames of the capture size at the capture rate (the test pattern, or
#   the no-signal picture), so FFmpeg records all its frames and exits 0,
#   within 60 s of the last change (else: a hang); the driver counted the
#   3 changes, every byte is checked and the stamps run on unbroken.
# timeout: 900
set -u
# shellcheck disable=SC1091 # found through $MCAP_ROOT
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

command -v ffmpeg >/dev/null || fail "no ffmpeg (test/install-deps.sh installs it)"
CHECK="python3 $MCAP_TOOLS/mcap-ffcheck.py"
RAWCHECK=$MCAP_TOOLS/mcap-rawcheck
OUT=$MCAP_CASE_OUT
N=20
W=320
H=240
# raw frames go to the guest's RAM, not to the shared results directory
TMP=$(mktemp -d /tmp/mcap-ffmpeg.XXXXXX) || fail "mktemp"
RULE=/run/udev/rules.d/60-multicap.rules
cleanup() {
	rm -rf "$TMP" "$RULE"
	udevadm control --reload 2>/dev/null
}
trap cleanup EXIT

# ff LOG ARGS...: ffmpeg ARGS, output to LOG; fails the case if it hangs
ff() {
	_log=$1
	shift
	timeout 180 ffmpeg -hide_banner -nostdin -nostats -y "$@" >"$_log" 2>&1
	_rc=$?
	[ $_rc -ne 124 ] || fail "ffmpeg $* hung (killed after 180 s)"
	return $_rc
}

# ffail LOG MSG: fail with MSG and the end of LOG
ffail() {
	fail "$2: $(grep -v '^  frame' "$1" | tail -n 5)"
}

# names NODE: "N M" from the node's name "multicap card N ch M"
names() {
	sed -n 's/^multicap card \([0-9][0-9]*\) ch \([0-9][0-9]*\)$/\1 \2/p' \
		"/sys/class/video4linux/${1#/dev/}/name"
}

# link NODE: its /dev/multicap/cardN/chM
link() {
	# shellcheck disable=SC2046 # two words
	set -- $(names "$1")
	echo "/dev/multicap/card$1/ch$2"
}

# chan NODE: its channel
chan() {
	cat "/sys/class/video4linux/${1#/dev/}/index"
}

if ! mkdir -p /run/udev/rules.d || ! cp "$MCAP_ROOT/udev/60-multicap.rules" "$RULE"; then
	fail "cannot install the udev rule in /run/udev/rules.d"
fi
udevadm control --reload || fail "udevadm control --reload"
mcap_load channels=4 mode=${W}x${H}p30
# shellcheck disable=SC2046 # one word a node
set -- $(mcap_nodes)
[ $# -ge 4 ] || fail "expected 4 nodes, have $#"

# ---- names ---------------------------------------------------------------
: >"$OUT/names.txt"
for v in "$@"; do
	sys=/sys/class/video4linux/${v#/dev/}
	idx=$(cat "$sys/index")
	name=$(cat "$sys/name")
	parent=$(basename "$(readlink -f "$sys/device")")
	info=$(v4l2-ctl -d "$v" --info 2>&1) || fail "$v --info: $info"
	card=$(echo "$info" | sed -n 's/^[[:space:]]*Card type[[:space:]]*: //p')
	bus=$(echo "$info" | sed -n 's/^[[:space:]]*Bus info[[:space:]]*: //p')
	nr=$(echo "$name" | sed -n "s/^multicap card \([0-9][0-9]*\) ch $idx\$/\1/p")
	[ -n "$nr" ] || fail "$v: name '$name', expected 'multicap card N ch $idx'"
	[ "$card" = "$name" ] || fail "$v: QUERYCAP card '$card' is not its name '$name'"
	[ "$bus" = "platform:$parent" ] || [ "$bus" = "PCI:$parent" ] ||
		fail "$v: bus_info '$bus' does not name its card $parent"
	l=/dev/multicap/card$nr/ch$idx
	[ "$(readlink -f "$l")" = "$v" ] ||
		fail "$l is '$(readlink -f "$l")', not $v (udev/60-multicap.rules)"
	echo "$nr $bus $v $card" >>"$OUT/names.txt"
done
cat "$OUT/names.txt"
[ -z "$(cut -d' ' -f4- "$OUT/names.txt" | sort | uniq -d)" ] || fail "card names not unique"
pairs=$(cut -d' ' -f1,2 "$OUT/names.txt" | sort -u)
np=$(echo "$pairs" | wc -l)
if [ "$(echo "$pairs" | cut -d' ' -f1 | sort -u | wc -l)" -ne "$np" ] ||
	[ "$(echo "$pairs" | cut -d' ' -f2 | sort -u | wc -l)" -ne "$np" ]; then
	fail "card numbers and bus_info do not pair up: $pairs"
fi
ff "$OUT/sources.txt" -sources v4l2 || ffail "$OUT/sources.txt" "ffmpeg -sources v4l2"
while read -r _ _ v card; do
	grep -qF "$v [$card]" "$OUT/sources.txt" ||
		fail "ffmpeg -sources v4l2 does not list $v as '$card': $(cat "$OUT/sources.txt")"
done <"$OUT/names.txt"
echo "names: ok"

n0=$1 n1=$2 n2=$3 n3=$4
for v in "$n0" "$n1" "$n2" "$n3"; do
	v4l2-ctl -d "$v" -c test_pattern=2 || fail "$v: cannot set Tagged Lines"
done

# ---- formats -------------------------------------------------------------
ff "$OUT/ff-formats.txt" -f v4l2 -list_formats all -i "$(link "$n0")"
# (ffmpeg exits 1 after the list: "Immediate exit requested")
v4l2-ctl -d "$n0" --list-formats >"$OUT/v4l2-formats.txt" 2>&1 || fail "--list-formats"
map=$($CHECK formats "$OUT/ff-formats.txt" "$OUT/v4l2-formats.txt") ||
	fail "ffmpeg -list_formats: $map"
echo "$map"
[ "$(echo "$map" | wc -l)" -eq 8 ] || fail "8 formats expected"
for want in "YUYV yuyv422" "UYVY uyvy422" "RGB3 rgb24" "BGR3 bgr24" "GREY gray" \
	    "XR24 bgr0" "NV12 nv12"; do
	echo "$map" | grep -qx "$want" || fail "ffmpeg does not list ${want% *} as ${want#* }"
done

# capture FMT...: format k from node k, N frames each, one ffmpeg for all
capture() {
	_in='' _out='' _k=0
	for _f in "$@"; do
		eval "_v=\$n$_k"
		_in="$_in -f v4l2 -input_format $_f -i $(link "$_v")"
		_out="$_out -map $_k:v -frames:v $N -fps_mode passthrough -c:v rawvideo"
		_out="$_out -f rawvideo $TMP/$_f.raw"
		_k=$((_k + 1))
	done
	# shellcheck disable=SC2086 # word lists, paths without blanks
	ff "$OUT/capture-$1.log" $_in $_out || ffail "$OUT/capture-$1.log" "ffmpeg $*"
	_k=0
	for _f in "$@"; do
		eval "_v=\$n$_k"
		_k=$((_k + 1))
		_fcc=$(echo "$map" | sed -n "s/^\(....\) $_f\$/\1/p")
		v4l2-ctl -d "$_v" --get-fmt-video | grep -q "Pixel Format.*'$_fcc'" ||
			fail "$_f: $_v is not in $_fcc"
		"$RAWCHECK" -n $N "$TMP/$_f.raw" "$_v" >"$OUT/rawcheck-$_f.txt" 2>&1 ||
			ffail "$OUT/rawcheck-$_f.txt" "$_f from $_v"
		tail -n 1 "$OUT/rawcheck-$_f.txt"
		rm -f "$TMP/$_f.raw"
	done
}
# an earlier client's padded lines, which FFmpeg cannot take
v4l2-ctl -d "$n0" --set-fmt-video=pixelformat=YUYV,bytesperline=$((W * 2 + 128)) ||
	fail "set a padded bytesperline"
v4l2-ctl -d "$n0" --get-fmt-video | grep -q "Bytes per Line.*: $((W * 2 + 128))" ||
	fail "the padded bytesperline did not stick"
# shellcheck disable=SC2046 # one word a format
set -- $(echo "$map" | awk '$2 != "-" { print $2 }')
capture "$1" "$2" "$3" "$4"
grep -q "bytesperline $((W * 2))," "$OUT/rawcheck-$1.txt" ||
	fail "FFmpeg's S_FMT did not get packed lines: $(head -n 1 "$OUT/rawcheck-$1.txt")"
shift 4
capture "$@"
nfmt=$(($# + 4))

# ---- mosaic --------------------------------------------------------------
in=
for v in "$n0" "$n1" "$n2" "$n3"; do
	in="$in -f v4l2 -input_format gray -i $(link "$v")"
done
# shellcheck disable=SC2086 # a word list, paths without blanks
ff "$OUT/mosaic.log" $in \
	-filter_complex "[0:v][1:v][2:v][3:v]xstack=inputs=4:layout=0_0|w0_0|0_h0|w0_h0[m]" \
	-map "[m]" -frames:v $N -pix_fmt gray -c:v rawvideo -f rawvideo "$TMP/mosaic.raw" ||
	ffail "$OUT/mosaic.log" "ffmpeg mosaic"
$CHECK mosaic -n $N "$TMP/mosaic.raw" $((W * 2)) $((H * 2)) \
	"$(chan "$n0")" "$(chan "$n1")" "$(chan "$n2")" "$(chan "$n3")" \
	>"$OUT/mosaic.txt" 2>&1 || ffail "$OUT/mosaic.txt" "mosaic"
tail -n 1 "$OUT/mosaic.txt"
rm -f "$TMP/mosaic.raw"

# ---- timestamps ----------------------------------------------------------
# stamps TAG NODE FRAMES PERIOD_NS STAMPS-ARGS... -- FFMPEG-INPUT-ARGS...:
# FRAMES GREY frames from NODE with showinfo; check stamps and bytes
stamps() {
	_tag=$1 _v=$2 _n=$3 _p=$4
	shift 4
	_sa=
	while [ "$1" != -- ]; do
		_sa="$_sa $1"
		shift
	done
	shift
	ff "$OUT/$_tag.log" -f v4l2 "$@" -input_format gray -i "$(link "$_v")" -frames:v "$_n" \
		-copyts -vf showinfo -fps_mode passthrough -c:v rawvideo -f rawvideo \
		"$TMP/$_tag.raw" || ffail "$OUT/$_tag.log" "ffmpeg ($_tag)"
	# shellcheck disable=SC2086 # a word list
	check_stamps "$_tag" "$_v" "$_n" "$_p" $_sa
}

# check_stamps TAG NODE FRAMES PERIOD_NS STAMPS-ARGS...: the run's stamps and bytes
check_stamps() {
	_tag=$1 _v=$2 _n=$3 _p=$4
	shift 4
	$CHECK stamps -n "$_n" "$@" "$OUT/$_tag.log" "$TMP/$_tag.raw" $((W * H)) "$_p" \
		>"$OUT/$_tag-stamps.txt" 2>&1 || ffail "$OUT/$_tag-stamps.txt" "$_tag: stamps"
	tail -n 1 "$OUT/$_tag-stamps.txt"
	"$RAWCHECK" -n "$_n" "$TMP/$_tag.raw" "$_v" >"$OUT/$_tag-rawcheck.txt" 2>&1 ||
		ffail "$OUT/$_tag-rawcheck.txt" "$_tag: frames"
	tail -n 1 "$OUT/$_tag-rawcheck.txt"
	rm -f "$TMP/$_tag.raw"
}

P=$(mcap_frame_ns "$n0")
[ "$P" -gt 0 ] || fail "cannot read the input's frame period"
t0=$($CHECK now mono)
stamps ts-default "$n0" 30 "$P" --clock mono --since "$t0" --
t0=$($CHECK now real)
stamps ts-abs "$n0" 30 "$P" --clock real --since "$t0" --tol-us $((P / 4000)) -- -ts abs
grep -q "Detected monotonic timestamps, converting" "$OUT/ts-abs.log" ||
	fail "ffmpeg -ts abs did not take the stamps for CLOCK_MONOTONIC: $(grep -i timestamps "$OUT/ts-abs.log")"

# ---- -framerate 30 on a 60 Hz input (S_PARM) -----------------------------
mcap_unload
mcap_load channels=1 mode=${W}x${H}p60
v=$(mcap_nodes | head -n 1)
[ -n "$v" ] || fail "no node"
v4l2-ctl -d "$v" -c test_pattern=2 || fail "$v: cannot set Tagged Lines"
P=$(mcap_frame_ns "$v")
[ "$P" -gt 0 ] || fail "cannot read the input's frame period"

# fps30 WHEN: G_PARM must say 30 fps
fps30() {
	_fps=$(v4l2-ctl -d "$v" --get-parm | sed -n 's/.*Frames per second: \([0-9.]*\).*/\1/p')
	echo "G_PARM $1: $_fps fps"
	awk -v f="$_fps" 'BEGIN { exit !(f > 29.9 && f < 30.1) }' ||
		fail "G_PARM $1: '$_fps' fps, expected 30"
}

# wait_frames N PID: until the driver delivered more than N frames (60 s)
wait_frames() {
	_i=0
	while [ "$(mcap_stat "$v" frames)" -le "$1" ]; do
		kill -0 "$2" 2>/dev/null || return 1
		_i=$((_i + 1))
		[ $_i -le 300 ] || return 1
		sleep 0.2
	done
}

# record TAG FRAMES: ffmpeg -framerate 30 in the background (PID in $pid)
record() {
	timeout 180 ffmpeg -hide_banner -nostdin -nostats -y -f v4l2 -framerate 30 \
		-input_format gray -i "$(link "$v")" -frames:v "$2" -copyts -vf showinfo \
		-fps_mode passthrough -c:v rawvideo -f rawvideo "$TMP/$1.raw" \
		>"$OUT/$1.log" 2>&1 &
	pid=$!
}

f0=$(mcap_stat "$v" frames)
record framerate 60
wait_frames $((f0 + 5)) $pid || ffail "$OUT/framerate.log" "ffmpeg -framerate 30 did not stream"
fps30 "while FFmpeg streams"
kill -0 $pid 2>/dev/null || fail "ffmpeg ended before G_PARM could be read meanwhile"
wait $pid
rc=$?
[ $rc -ne 124 ] || fail "ffmpeg -framerate 30 hung"
[ $rc -eq 0 ] || ffail "$OUT/framerate.log" "ffmpeg -framerate 30: exit $rc"
fps30 "after FFmpeg"
check_stamps framerate "$v" 60 $((P * 2))

# ---- cable pull, mode change and replug while FFmpeg records ------------
NP=600
# over PCI each input change is a QMP round trip (about a second under TCG)
[ "$MCAP_BUS" = pci ] && NP=900
idx=$(chan "$v")
src0=$(mcap_stat "$v" source_changes)
f0=$(mcap_stat "$v" frames)
record pull $NP
wait_frames $((f0 + 10)) $pid || ffail "$OUT/pull.log" "ffmpeg did not stream"
k=0
for mode in none 640x480p60 ${W}x${H}p60; do
	mcap_input 0 "$idx" "$mode" || fail "input $mode"
	k=$((k + 1))
	# each change reported before the next: the driver counts each once
	i=0
	while [ "$(mcap_stat "$v" source_changes)" -lt $((src0 + k)) ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.3
	kill -0 $pid 2>/dev/null ||
		ffail "$OUT/pull.log" "ffmpeg ended before the input changes were done (raise NP)"
	echo "input $mode: $(mcap_stat "$v" frames) frames delivered"
done
t=0
while kill -0 $pid 2>/dev/null && [ $t -lt 600 ]; do
	sleep 0.1
	t=$((t + 1))
done
if kill -0 $pid 2>/dev/null; then
	kill $pid
	fail "ffmpeg still runs 60 s after the input came back: a hang"
fi
wait $pid
rc=$?
echo "ffmpeg ended $((t / 10)).$((t % 10)) s after the input came back, exit $rc"
[ $rc -eq 0 ] || ffail "$OUT/pull.log" "ffmpeg through the input changes: exit $rc"
n=$(($(mcap_stat "$v" source_changes) - src0))
[ $n -eq 3 ] || fail "the driver reported $n source changes meanwhile, expected 3"
check_stamps pull "$v" $NP $((P * 2))
mcap_unload

echo "frames FFmpeg captured and checked byte for byte: $((nfmt * N)) in $nfmt formats," \
	"$((4 * N)) mosaic tiles, 60 for timestamps, 60 decimated, $NP through input changes"
echo "ffmpeg OK"

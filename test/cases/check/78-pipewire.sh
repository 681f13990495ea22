#!/bin/sh
# 78-pipewire.sh - PipeWire, as desktop applications reach the card
#
# Starts what a desktop session has, for this case alone and with none of
# the user's configuration: a session D-Bus, pipewire and wireplumber (its
# V4L2 monitor watches udev), in a private XDG_RUNTIME_DIR. A headless
# session has no systemd-logind seat: WirePlumber's Bluetooth part would
# load its logind module, which then fails ("failed to start systemd
# logind monitor") and takes WirePlumber down, so a fragment in the
# session's own XDG_CONFIG_HOME sets with-logind off (what the comment in
# WirePlumber's 50-bluez-config.lua advises for instances without a user
# session). Then, as a desktop sees it:
# - The card is plugged in (4 channels, 320x240p30) while PipeWire runs:
#   every channel appears as a Video/Source node within 60 s, its
#   node.description the node's name, "multicap card N ch M (V4L2)"
#   (WirePlumber adds the API), unique.
# - Each node's formats (EnumFormat in pw-dump) are the driver's
#   (v4l2-ctl --list-formats, in PipeWire's names, in the driver's order).
# - GStreamer's pipewiresrc captures 30 UYVY frames from each node, every
#   byte checked (Tagged Lines, mcap-rawcheck).
# - A cable pull, another mode and the first mode back while pipewiresrc
#   captures: it still gets all its 90 frames (the card keeps sending at
#   the capture size) within 60 s, PipeWire and WirePlumber keep running,
#   and a capture afterwards is byte-exact again (nothing wedged).
# - The card is removed while pipewiresrc streams from it: every node is
#   gone from PipeWire within 30 s; pipewiresrc, which PipeWire 0.3.65 does
#   not tell that its node went, ends on SIGINT within 30 s (not wedged);
#   PipeWire and WirePlumber keep running; once they are stopped the driver unloads (no
#   file of the card's left open). The runner fails the case on any kernel
#   report.
# timeout: 600
set -u
# shellcheck disable=SC1091 # found through $MCAP_ROOT
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

for t in pipewire wireplumber pw-dump dbus-daemon; do
	command -v $t >/dev/null || fail "no $t (test/install-deps.sh installs it)"
done
gst-inspect-1.0 pipewiresrc >/dev/null 2>&1 || fail "no pipewiresrc (gstreamer1.0-pipewire)"
PWNODES="python3 $MCAP_TOOLS/mcap-pwnodes.py"
OUT=$MCAP_CASE_OUT
N=30
SESSION=$(mktemp -d /tmp/mcap-pw.XXXXXX) || fail "mktemp"
TMP=$SESSION/frames
mkdir -p "$TMP" "$SESSION/run" || fail "mkdir"
chmod 700 "$SESSION/run"
cleanup() {
	kill ${WP:-} ${PW:-} ${BUS:-} 2>/dev/null
	rm -rf "$SESSION"
}
trap cleanup EXIT

# ---- the session: D-Bus, pipewire, wireplumber ----------------------------
export XDG_RUNTIME_DIR=$SESSION/run
export XDG_CONFIG_HOME=$SESSION/config XDG_STATE_HOME=$SESSION/state
mkdir -p "$XDG_CONFIG_HOME/wireplumber/bluetooth.lua.d" &&
	echo 'bluez_monitor.properties["with-logind"] = false' \
		>"$XDG_CONFIG_HOME/wireplumber/bluetooth.lua.d/60-no-logind.lua" ||
	fail "WirePlumber configuration"
dbus-daemon --session --fork --address="unix:path=$SESSION/run/bus" \
	--print-pid=1 >"$SESSION/bus.pid" || fail "dbus-daemon --session"
BUS=$(cat "$SESSION/bus.pid")
export DBUS_SESSION_BUS_ADDRESS="unix:path=$SESSION/run/bus"
pipewire >"$OUT/pipewire.log" 2>&1 &
PW=$!
t=0
until [ -S "$XDG_RUNTIME_DIR/pipewire-0" ]; do
	[ $t -lt 300 ] || fail "pipewire made no socket in 30 s: $(tail -n 5 "$OUT/pipewire.log")"
	sleep 0.1
	t=$((t + 1))
done
wireplumber >"$OUT/wireplumber.log" 2>&1 &
WP=$!

# alive: pipewire and wireplumber still run
alive() {
	kill -0 $PW 2>/dev/null || fail "pipewire exited ($1): $(tail -n 5 "$OUT/pipewire.log")"
	kill -0 $WP 2>/dev/null || fail "wireplumber exited ($1): $(tail -n 5 "$OUT/wireplumber.log")"
}

# pwnodes: the V4L2 Video/Source nodes PipeWire has (mcap-pwnodes.py)
pwnodes() {
	timeout 30 pw-dump >"$SESSION/dump.json" 2>"$SESSION/dump.err" ||
		fail "pw-dump failed or hung: $(cat "$SESSION/dump.err")"
	$PWNODES <"$SESSION/dump.json"
}

# wait_nodes N SECS: until PipeWire has N nodes of the card's (of $nodes)
wait_nodes() {
	_t=0
	while :; do
		_n=$(pwnodes | awk -v nodes="$nodes" '
			BEGIN { split(nodes, v, "\n"); for (i in v) ours[v[i]] = 1 }
			$1 in ours { n++ } END { print n + 0 }')
		[ "$_n" -eq "$1" ] && break
		[ $_t -lt "$2" ] || return 1
		sleep 1
		_t=$((_t + 1))
	done
	echo "PipeWire has $1 nodes of the card's after ${_t} s"
}

# capture SERIAL N FILE: pipewiresrc, N UYVY frames to FILE
capture() {
	timeout 120 gst-launch-1.0 -q pipewiresrc target-object="$1" \
		num-buffers="$2" ! "video/x-raw,format=UYVY,width=320,height=240" ! \
		filesink location="$3" >"$3.log" 2>&1
}

sleep 2
alive "at start"

# ---- the card arrives -------------------------------------------------------
mcap_load channels=4 mode=320x240p30
nodes=$(mcap_nodes)
[ "$(echo "$nodes" | wc -l)" -eq 4 ] || fail "expected 4 nodes, got: $nodes"
for v in $nodes; do
	v4l2-ctl -d "$v" -c test_pattern=2 || fail "$v: cannot set Tagged Lines"
done
wait_nodes 4 60 || { pwnodes; fail "PipeWire does not show the 4 channels within 60 s"; }
pwnodes | tee "$OUT/nodes.txt"
alive "after the card arrived"

descs=
for v in $nodes; do
	row=$(grep "^$v " "$OUT/nodes.txt") || fail "$v: no PipeWire node"
	name=$(cat "/sys/class/video4linux/${v#/dev/}/name")
	desc=$(echo "$row" | cut -d' ' -f5-)
	# WirePlumber's V4L2 monitor adds the API to the device's name
	case $desc in
	"$name"|"$name (V4L2)") ;;
	*) fail "$v: node.description '$desc', want '$name (V4L2)'" ;;
	esac
	descs="$descs$desc
"
	fourccs=$(v4l2-ctl -d "$v" --list-formats | sed -n "s/.*\[[0-9]*\]: '\(....\)'.*/\1/p")
	# shellcheck disable=SC2086 # one word per fourcc
	want=$($PWNODES --spa $fourccs)
	got=$(echo "$row" | cut -d' ' -f4)
	echo "$v: '$desc', formats $got (driver: $(echo $fourccs))"
	[ "$got" = "$want" ] || fail "$v: PipeWire lists formats $got, the driver $want"
done
[ "$(printf '%s' "$descs" | sort -u | wc -l)" -eq 4 ] || fail "node descriptions not unique: $descs"

# ---- pipewiresrc: every byte ------------------------------------------------
for v in $nodes; do
	serial=$(grep "^$v " "$OUT/nodes.txt" | cut -d' ' -f2)
	capture "$serial" $N "$TMP/f.raw" ||
		fail "$v: pipewiresrc failed: $(tail -n 5 "$TMP/f.raw.log")"
	"$MCAP_TOOLS/mcap-rawcheck" -n $N "$TMP/f.raw" "$v" >"$TMP/check.txt" 2>&1 ||
		fail "$v: pipewiresrc frames not byte-exact: $(tail -n 3 "$TMP/check.txt")"
	echo "pipewiresrc $v: $(tail -n 1 "$TMP/check.txt")"
done

# ---- source changes while capturing ------------------------------------------
v0=${nodes%%
*}
s0=$(grep "^$v0 " "$OUT/nodes.txt" | cut -d' ' -f2)
changes0=$(mcap_stat "$v0" source_changes)
capture "$s0" 90 "$TMP/chg.raw" &
cap=$!
sleep 2
mcap_input 0 0 none
sleep 1
mcap_input 0 0 640x480p30
sleep 1
mcap_input 0 0 320x240p30
mcap_wait_exit 60 $cap || { kill $cap; fail "pipewiresrc hangs after the source changes"; }
size=$(stat -c %s "$TMP/chg.raw")
[ "$size" -eq $((90 * 320 * 240 * 2)) ] ||
	fail "pipewiresrc got $size bytes across the source changes, not 90 frames: $(tail -n 3 "$TMP/chg.raw.log")"
changes=$(($(mcap_stat "$v0" source_changes) - changes0))
[ $changes -eq 3 ] || fail "the driver saw $changes source changes, not 3"
alive "after the source changes"
sleep 1		# the node's input is back: Tagged Lines again
capture "$s0" $N "$TMP/f.raw" || fail "$v0: pipewiresrc fails after the source changes"
"$MCAP_TOOLS/mcap-rawcheck" -n $N "$TMP/f.raw" "$v0" >"$TMP/check.txt" 2>&1 ||
	fail "$v0: frames not byte-exact after the source changes: $(tail -n 3 "$TMP/check.txt")"
echo "after 3 source changes: 90 frames, then $(tail -n 1 "$TMP/check.txt")"

# ---- the card goes while a client streams -------------------------------------
v1=$(echo "$nodes" | sed -n 2p)
s1=$(grep "^$v1 " "$OUT/nodes.txt" | cut -d' ' -f2)
capture "$s1" 100000 "$TMP/rm.raw" &
cap=$!
t=0
while [ "$(stat -c %s "$TMP/rm.raw" 2>/dev/null || echo 0)" -lt $((5 * 320 * 240 * 2)) ]; do
	[ $t -lt 60 ] || fail "pipewiresrc on $v1 streams nothing: $(tail -n 3 "$TMP/rm.raw.log")"
	sleep 0.5
	t=$((t + 1))
done
# the card goes (the driver stays: PipeWire still holds the nodes' files)
if [ "$MCAP_BUS" = pci ]; then
	for d in /sys/bus/pci/drivers/multicap/0000:*; do
		echo 1 >"$d/remove" || fail "removing $d"
	done
else
	rmmod multicap_sim || fail "rmmod multicap_sim"
fi
wait_nodes 0 30 || { pwnodes; fail "PipeWire still shows the card's nodes 30 s after the card went"; }
# pipewiresrc (PipeWire 0.3.65) is not told that its node went: it waits
# for frames until stopped. Ctrl-C must still end it (nothing wedged).
if mcap_wait_exit 5 $cap; then
	echo "pipewiresrc ended by itself: $(grep -v '^$' "$TMP/rm.raw.log" | tail -n 1)"
else
	pkill -INT -f "pipewiresrc target-object=$s1 "
	mcap_wait_exit 30 $cap ||
		{ kill -9 $cap; fail "pipewiresrc does not end on SIGINT after its node went: $(tail -n 3 "$TMP/rm.raw.log")"; }
	echo "pipewiresrc waited after its node went; SIGINT ended it: $(grep -v '^$' "$TMP/rm.raw.log" | tail -n 1)"
fi
alive "after the card went"
# PipeWire gone, no file of the card's stays open: the driver unloads
kill $WP $PW
mcap_wait_exit 30 $WP $PW || fail "pipewire or wireplumber does not exit on SIGTERM"
WP='' PW=''
mcap_unload
echo "PASS: 4 nodes named and with the driver's formats, $((4 * N + N)) frames byte-exact through pipewiresrc, source changes and removal survived"

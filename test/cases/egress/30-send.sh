#!/bin/sh
# 30-send.sh - mcap-send: 4 channels to receivers in another namespace
#
# The sender runs in netns mcaptx, the receivers in mcaprx (mcap_netpair:
# two e1000e NICs that QEMU joins on a hub), so every byte crosses a real
# NIC driver. 4 channels 320x240p30 UYVY, Tagged Lines, 150 frames each:
#  - RTP (RFC 4175, UDP GSO, MSG_ZEROCOPY) to GStreamer's udpsrc !
#    rtpjitterbuffer ! rtpvrawdepay (gst-pipelines/receive-rtp.sh), which
#    also dumps the packets: lost packets = the sender's count - the
#    packets received. (The jitter buffer is needed: QEMU's network queue
#    delivers a packet ahead of those it holds back while the receiving
#    NIC's ring is full, so packets arrive out of order under load.)
#    Every line received is byte-exact (mcap-rawcheck -p); the lines
#    missing are at most the packets lost (a 640-byte line is one packet).
#  - the same over FFmpeg's RTP demuxer, from the SDP file mcap-send wrote.
#  - raw frames over TCP to GStreamer's tcpclientsrc ! rawvideoparse
#    (gst-pipelines/receive-tcp.sh): all 150 frames of each channel,
#    byte-exact, their gaps the sender's drops.
# Every run: zerocopy completions > 0, 0 of them copied, no channel failed.
# timeout: 900
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

SEND=$MCAP_USER_TOOLS/mcap-send
GST=$MCAP_ROOT/gst-pipelines
FRAMES=150
PKT=660			# RTP 12 + RFC 4175 8 + one 640-byte UYVY line
out=/tmp/send
rm -rf "$out"
mkdir -p "$out" || fail "mkdir $out"

mcap_load channels=4 mode=320x240p30
nodes=$(mcap_nodes)
[ "$(echo "$nodes" | wc -l)" -eq 4 ] || fail "expected 4 nodes, got: $nodes"
mcap_netpair
# the receivers ask for 8 MiB socket buffers (a few frames): allow them
sysctl -qw net.core.rmem_max=16777216 || fail "sysctl net.core.rmem_max"

# wait_ports NS PROTO N PORT...: N sockets of PROTO (u|t) bound in NS
wait_ports() {
	_ns=$1 _p=$2 _n=$3
	shift 3
	_t=0
	while [ $_t -lt 120 ]; do
		_got=0
		for _port in "$@"; do
			ip netns exec "$_ns" ss -Hln"$_p" "sport = :$_port" |
				grep -q . && _got=$((_got + 1))
		done
		[ $_got -ge "$_n" ] && return 0
		sleep 0.5
		_t=$((_t + 1))
	done
	fail "$_ns: only $_got of $_n ports of $* bound after 60 s"
}

# stop_all PID...: SIGINT (gst-launch -e and ffmpeg close their files),
# then wait; a receiver still alive after 60 s is a hang
stop_all() {
	for _p in "$@"; do
		kill -INT "$_p" 2>/dev/null
	done
	for _p in "$@"; do
		_t=0
		while kill -0 "$_p" 2>/dev/null && [ $_t -lt 120 ]; do
			sleep 0.5
			_t=$((_t + 1))
		done
		kill -0 "$_p" 2>/dev/null && { kill -9 "$_p"; fail "receiver $_p hangs"; }
		wait "$_p" 2>/dev/null
	done
}

# sender_ok FILE: the summary of a run, zerocopy used and never copied
sender_ok() {
	cat "$1"
	_tot=$(grep '^total:' "$1") || fail "$1: no summary line"
	echo "$_tot" | grep -q " frames=$((4 * FRAMES)) " ||
		fail "$1: not $((4 * FRAMES)) frames sent"
	echo "$_tot" | grep -q ' zc=0 ' && fail "$1: no zerocopy completion"
	echo "$_tot" | grep -q ' zc_copied=0 ' ||
		fail "$1: zerocopy completions fell back to copying"
	echo "$_tot" | grep -q ' failed=0$' || fail "$1: a channel failed"
}

# field NAME LINE: the value of NAME= in LINE
field() {
	echo "$2" | sed -n "s/.* $1=\([0-9]*\).*/\1/p"
}

# the neighbours known: the first frame's packets do not wait for ARP
ip -n mcaptx neigh replace 10.77.0.2 lladdr 52:54:00:4d:43:02 nud permanent dev "$MCAP_NIC_TX" &&
	ip -n mcaprx neigh replace 10.77.0.1 lladdr 52:54:00:4d:43:01 nud permanent dev "$MCAP_NIC_RX" ||
	fail "static neighbours"

# ---- RTP to GStreamer ------------------------------------------------------
rx=
i=0
for v in $nodes; do
	LATENCY=2000 DUMP=$out/rtp$i.pkts ip netns exec mcaprx sh "$GST/receive-rtp.sh" \
		320x240 $((5004 + 2 * i)) "$out/rtp$i.raw" >"$out/rx$i.log" 2>&1 &
	rx="$rx $!"
	i=$((i + 1))
done
wait_ports mcaprx u 4 5004 5006 5008 5010
sleep 2		# the pipelines reach PLAYING after binding
# shellcheck disable=SC2086 # one word per node
ip netns exec mcaptx "$SEND" --rtp 10.77.0.2:5004 -n $FRAMES -f UYVY \
	-t "Tagged Lines" --sdp "$out/ch%d.sdp" $nodes >"$out/rtp.txt" 2>&1 ||
	{ cat "$out/rtp.txt"; fail "mcap-send --rtp: exit $?"; }
sleep 4		# the last packets reach the pipelines, past the jitter buffer
# shellcheck disable=SC2086 # one word per pid
stop_all $rx
sender_ok "$out/rtp.txt"

lost_all=0
i=0
for v in $nodes; do
	line=$(grep "^ch$i .*: frames=" "$out/rtp.txt")
	sent=$(field packets "$line")
	size=$(stat -c %s "$out/rtp$i.pkts") || fail "ch$i: no packet dump"
	[ $((size % PKT)) -eq 0 ] || fail "ch$i: packet dump of $size bytes: not $PKT-byte packets"
	got=$((size / PKT))
	lost=$((sent - got))
	echo "ch$i: packets sent $sent, received $got, lost $lost"
	[ "$sent" -eq $((FRAMES * 240)) ] || fail "ch$i: $sent packets sent, want $((FRAMES * 240))"
	[ $lost -ge 0 ] || fail "ch$i: more packets received than sent"
	[ $((lost * 10)) -le "$sent" ] || fail "ch$i: lost $lost of $sent packets"
	"$MCAP_TOOLS/mcap-rawcheck" -p "$out/rtp$i.raw" "$v" >"$out/check$i.txt" 2>&1 ||
		{ grep -v '^  frame' "$out/check$i.txt" | head -n 30; fail "ch$i: RTP frames not byte-exact"; }
	res=$(tail -n 1 "$out/check$i.txt")
	echo "$res"
	frames=$(echo "$res" | sed -n 's/.* frames \([0-9]*\),.*/\1/p')
	missing=$(echo "$res" | sed -n 's/.* missing \([0-9]*\) in.*/\1/p')
	[ "${missing:-x}" -le $lost ] 2>/dev/null ||
		{ grep 'lines missing' "$out/check$i.txt"; fail "ch$i: $missing lines missing, only $lost packets lost"; }
	[ $((frames * 10)) -ge $((FRAMES * 9)) ] ||
		fail "ch$i: rtpvrawdepay gave $frames of $FRAMES frames"
	# without loss, the gaps between frames received are the sender's drops
	drops=$(field drops "$line")
	[ $lost -gt 0 ] || echo "$res" | grep -q " dropped $drops," ||
		fail "ch$i: gaps in the frames received differ from the sender's $drops drops"
	lost_all=$((lost_all + lost))
	i=$((i + 1))
done
echo "RTP: 4 x $FRAMES frames, $lost_all packets lost"

# the SDP describes what was sent
grep -q '^a=rtpmap:96 raw/90000' "$out/ch0.sdp" &&
	grep -q 'sampling=YCbCr-4:2:2; width=320; height=240; exactframerate=[0-9/]*;' "$out/ch0.sdp" &&
	grep -q '^m=video 5004 RTP/AVP 96' "$out/ch0.sdp" &&
	grep -q '^m=video 5010 RTP/AVP 96' "$out/ch3.sdp" ||
	{ cat "$out/ch0.sdp"; fail "the SDP does not describe the stream"; }

# ---- RTP to FFmpeg, from that SDP ------------------------------------------
v0=${nodes%%
*}
ip netns exec mcaprx ffmpeg -nostdin -v error -protocol_whitelist file,udp,rtp \
	-buffer_size 8388608 -i "$out/ch0.sdp" -map 0:v -c copy -f rawvideo \
	-y "$out/ff0.raw" >"$out/ff.log" 2>&1 &
ff=$!
wait_ports mcaprx u 1 5004
sleep 1
ip netns exec mcaptx "$SEND" --rtp 10.77.0.2:5004 -n $FRAMES "$v0" \
	>"$out/rtp-ff.txt" 2>&1 || { cat "$out/rtp-ff.txt"; fail "mcap-send to FFmpeg: exit $?"; }
sleep 2
stop_all $ff
cat "$out/rtp-ff.txt"
grep -q '^total: .* zc_copied=0 failed=0$' "$out/rtp-ff.txt" ||
	fail "mcap-send to FFmpeg: copied completions or failed"
"$MCAP_TOOLS/mcap-rawcheck" -p "$out/ff0.raw" "$v0" >"$out/checkff.txt" 2>&1 ||
	{ cat "$out/ff.log"; tail -n 5 "$out/checkff.txt"; fail "FFmpeg's RTP frames not byte-exact"; }
res=$(tail -n 1 "$out/checkff.txt")
echo "FFmpeg: $res"
frames=$(echo "$res" | sed -n 's/.* frames \([0-9]*\),.*/\1/p')
[ $((frames * 10)) -ge $((FRAMES * 9)) ] || fail "FFmpeg gave $frames of $FRAMES frames"
rm -f "$out"/*.raw "$out"/*.pkts

# ---- raw frames over TCP to GStreamer ---------------------------------------
# shellcheck disable=SC2086 # one word per node
ip netns exec mcaptx "$SEND" --tcp-listen 10.77.0.1:6000 -n $FRAMES $nodes \
	>"$out/tcp.txt" 2>&1 &
tx=$!
wait_ports mcaptx t 4 6000 6001 6002 6003
rx=
i=0
for v in $nodes; do
	ip netns exec mcaprx sh "$GST/receive-tcp.sh" 10.77.0.1 $((6000 + i)) \
		320x240 "$out/tcp$i.raw" >"$out/rxt$i.log" 2>&1 &
	rx="$rx $!"
	i=$((i + 1))
done
t=0
while kill -0 $tx 2>/dev/null && [ $t -lt 240 ]; do
	sleep 0.5
	t=$((t + 1))
done
kill -0 $tx 2>/dev/null && { kill -9 $tx; cat "$out/tcp.txt"; fail "mcap-send --tcp-listen hangs"; }
wait $tx || { cat "$out/tcp.txt"; fail "mcap-send --tcp-listen: exit $?"; }
# the receivers end at the end of the stream; stop_all catches a hang
sleep 2
# shellcheck disable=SC2086 # one word per pid
stop_all $rx
sender_ok "$out/tcp.txt"
i=0
for v in $nodes; do
	line=$(grep "^ch$i .*: frames=" "$out/tcp.txt")
	drops=$(field drops "$line")
	"$MCAP_TOOLS/mcap-rawcheck" -n $FRAMES "$out/tcp$i.raw" "$v" >"$out/tcheck$i.txt" 2>&1 ||
		{ cat "$out/rxt$i.log"; tail -n 5 "$out/tcheck$i.txt"; fail "ch$i: TCP frames not byte-exact"; }
	res=$(tail -n 1 "$out/tcheck$i.txt")
	echo "$res"
	echo "$res" | grep -q " dropped $drops," ||
		fail "ch$i: gaps in the frames received differ from the sender's $drops drops"
	i=$((i + 1))
done
rm -rf "$out"
echo "PASS: RTP and TCP, 4 channels x $FRAMES frames byte-exact, zerocopy never copied"

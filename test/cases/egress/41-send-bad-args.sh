#!/bin/sh
# 41-send-bad-args.sh - mcap-send refuses bad arguments with a clear message
#
# Each bad invocation (unknown or non-RTP format, unreachable address or
# nobody listening, missing device, a node that is not a multicap capture
# node, nonsense numbers, conflicting modes, an SDP that cannot be written)
# must exit non-zero, not by a signal (no crash), and print a message that
# names the problem; argument errors exit 2. --help must exit 0. The
# unreachable address is TEST-NET-1 from netns mcaptx, which has no route
# to it: nothing leaves the VM.
# timeout: 300
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

SEND=$MCAP_USER_TOOLS/mcap-send
out=/tmp/send-bad-args
mkdir -p "$out" || fail "mkdir $out"

mcap_load channels=2 mode=320x240p30
nodes=$(mcap_nodes)
v=${nodes%%
*}
mcap_netpair

# bad RC MESSAGE ARGS...: mcap-send ARGS (in netns mcaptx) exits RC (any
# non-zero if RC is -), saying MESSAGE (a grep -F)
bad() {
	_want_rc=$1 _want=$2
	shift 2
	ip netns exec mcaptx "$SEND" -n 3 "$@" >"$out/stdout" 2>"$out/stderr"
	_rc=$?
	echo "mcap-send $*: exit $_rc: $(head -n 1 "$out/stderr")"
	[ $_rc -ne 0 ] || fail "mcap-send $*: exit 0"
	[ $_rc -lt 128 ] || fail "mcap-send $*: killed by signal $((_rc - 128))"
	[ "$_want_rc" = - ] || [ $_rc -eq "$_want_rc" ] ||
		fail "mcap-send $*: exit $_rc, want $_want_rc"
	grep -qF -- "$_want" "$out/stderr" ||
		fail "mcap-send $*: no message saying '$_want': $(cat "$out/stderr")"
}

"$SEND" --help >"$out/stdout" 2>&1 || fail "mcap-send --help: exit $?"
grep -q '^Usage: mcap-send' "$out/stdout" || fail "--help prints no usage"

R="-f UYVY --rtp 10.77.0.2:5004"
# shellcheck disable=SC2086 # $R is three words
{
bad 2 "-f FOO: unknown format" -f FOO $R "$v"
bad 1 "format NV12: no RFC 4175 sampling" -f NV12 --rtp 10.77.0.2:5004 "$v"
bad 1 "capture UYVY (-f UYVY)" -f YUYV --rtp 10.77.0.2:5004 "$v"
bad 1 "/dev/video999: No such file or directory" $R /dev/video999
bad 1 "/dev/null: not a V4L2 device" $R /dev/null
bad 1 "/tmp: Is a directory" $R /tmp
bad 2 "--rtp 10.77.0.2: expected HOST:PORT" --rtp 10.77.0.2 "$v"
bad 2 "--rtp 99999: not a whole number" --rtp 10.77.0.2:99999 "$v"
bad 1 "no.such.host.invalid: " -f UYVY --rtp no.such.host.invalid:5004 "$v"
bad 1 "Network is unreachable" -f UYVY --rtp 192.0.2.1:5004 "$v"
bad 1 "Network is unreachable" --tcp 192.0.2.1:6000 "$v"
bad 1 "Connection refused" --tcp 10.77.0.2:6999 "$v"
bad 2 "only one of --rtp, --tcp, --tcp-listen" $R --tcp 10.77.0.2:6000 "$v"
bad 2 "one of --rtp, --tcp or --tcp-listen is required" "$v"
bad 2 "-n abc: not a whole number" -n abc $R "$v"
bad 2 "-b 1: not a whole number" -b 1 $R "$v"
bad 2 "-b 1000: not a whole number" -b 1000 $R "$v"
bad 2 "-d soon: not a number" -d soon $R "$v"
bad 2 "-i dmabuf: expected mmap or userptr" -i dmabuf $R "$v"
bad 2 "--mtu 10: not a whole number" --mtu 10 $R "$v"
bad 2 "--rate -1: not a number" --rate -1 $R "$v"
bad 2 "unrecognized option" --no-such-option $R "$v"
bad 1 "--sdp /nonexistent/x.sdp: No such file or directory" --sdp /nonexistent/x.sdp $R "$v"
mcap_unload
bad 1 "no multicap capture node found" $R
}
rm -rf "$out"
echo "bad-args OK"

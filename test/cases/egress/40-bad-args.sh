#!/bin/sh
# 40-bad-args.sh - mcap-record refuses bad arguments with a clear message
#
# Each bad invocation (unknown or unrecordable format, missing device, a
# node that is not a multicap capture node, an output directory that is
# missing or read-only, nonsense numbers, a raw device that is not one)
# must exit non-zero, not by a signal (no crash), print a message that
# names the problem, and leave no file behind. --help must exit 0.
# (mcap-send's bad arguments: 41-send-bad-args.sh.)
# timeout: 300
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
. "$MCAP_ROOT/test/cases/egress/rec-lib.sh"
mcap_unload_stale

out=/tmp/rec-bad-args
dir=/tmp/rec-bad-args/dir
mkdir -p "$dir" /mnt/ro || fail "mkdir"
mount -t tmpfs -o ro,size=1m tmpfs /mnt/ro || fail "mount a read-only tmpfs"
full=$(mcap_disk mcapfull) || fail "no mcapfull disk"

mcap_load channels=2 mode=320x240p30
nodes=$(mcap_nodes)
v=${nodes%%
*}

# bad MESSAGE ARGS...: mcap-record ARGS fails, saying MESSAGE (a grep -F)
bad() {
	_want=$1
	shift
	"$REC" "$@" >"$out/stdout" 2>"$out/stderr"
	_rc=$?
	echo "mcap-record $*: exit $_rc: $(head -n 1 "$out/stderr")"
	[ $_rc -ne 0 ] || fail "mcap-record $*: exit 0"
	[ $_rc -lt 128 ] || fail "mcap-record $*: killed by signal $((_rc - 128))"
	grep -qF -- "$_want" "$out/stderr" ||
		fail "mcap-record $*: no message saying '$_want': $(cat "$out/stderr")"
}

"$REC" --help >"$out/stdout" 2>&1 || fail "mcap-record --help: exit $?"
grep -q '^Usage: mcap-record' "$out/stdout" || fail "--help prints no usage"

bad "-f FOO: unknown format" -f FOO -o "$dir" "$v"
bad "-f NV16: no Matroska ColourSpace" -f NV16 -o "$dir" "$v"
bad "/dev/video999: No such file or directory" -o "$dir" /dev/video999
bad "/dev/null: not a multicap video capture node" -o "$dir" /dev/null
bad "/tmp: Is a directory" -o "$dir" /tmp
bad "-o /nonexistent: No such file or directory" -o /nonexistent "$v"
bad "-o /mnt/ro: not writable" -o /mnt/ro "$v"
bad "-o /etc/passwd: not a directory" -o /etc/passwd "$v"
bad "-n abc: not a number" -n abc -o "$dir" "$v"
bad "-n -3: not a number" -n -3 -o "$dir" "$v"
bad "-b 0: not a number" -b 0 -o "$dir" "$v"
bad "-b 1000: not a number" -b 1000 -o "$dir" "$v"
bad "-d soon: not a number" -d soon -o "$dir" "$v"
bad "--rotate-size -1: not a number" --rotate-size -1 -o "$dir" "$v"
bad "--rotate-time 0: not a number" --rotate-time 0 -o "$dir" "$v"
bad "-i dmabuf: mmap or userptr" -i dmabuf -o "$dir" "$v"
bad "-P a/b: a file name prefix" -P a/b -o "$dir" "$v"
bad "unrecognized option" --no-such-option "$v"
bad "--raw-device /dev/null: not a block device" --raw-device /dev/null -o "$dir" "$v"
# shellcheck disable=SC2086 # one word per node
bad "--raw-device records one channel" --raw-device "$full" -o "$dir" $nodes
bad "--raw-device: no rotation" --raw-device "$full" --rotate-size 10 -o "$dir" "$v"
mcap_unload
bad "no multicap capture node found" -o "$dir"

left=$(find "$dir" /mnt/ro -mindepth 1)
[ -z "$left" ] || fail "bad invocations left files behind: $left"
umount /mnt/ro || fail "umount /mnt/ro"
rm -rf "$out"
echo "bad-args OK"

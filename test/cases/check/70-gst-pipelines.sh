#!/bin/sh
# 70-gst-pipelines.sh - every pipeline in gst-pipelines/ runs (headless)
#
# Runs each script with SINK=fakesink and a bounded NUM_BUFFERS on the
# simulated card; it must exit 0 without an ERROR message. record.sh and
# record-all.sh must produce non-empty files. The network receivers
# (receive-rtp.sh, receive-tcp.sh) need mcap-send on the other end:
# egress/30-send runs them.
# timeout: 900
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

mcap_load channels=4 mode=640x480p30
# shellcheck disable=SC2046 # one word per node
set -- $(mcap_nodes)
P=$MCAP_ROOT/gst-pipelines
export SINK=fakesink NUM_BUFFERS=30
for s in "$P"/*.sh; do
	name=$(basename "$s" .sh)
	case $name in
	receive-rtp|receive-tcp) echo "$name: run by egress/30-send"; continue ;;
	record) args="$1 $MCAP_CASE_OUT/record.mkv" ;;
	record-all) args="$MCAP_CASE_OUT" ;;
	mosaic) args="$*" ;;
	*) args=$1 ;;
	esac
	# shellcheck disable=SC2086
	out=$(timeout 300 sh "$s" $args 2>&1)
	rc=$?
	echo "$out" | tail -n 3
	[ $rc -eq 0 ] || fail "$name: exit $rc: $out"
	echo "$out" | grep -q "^ERROR" && fail "$name: $out"
	echo "$name: ok"
done
[ -s "$MCAP_CASE_OUT/record.mkv" ] || fail "record.sh wrote nothing"
for ch in 0 1 2 3; do
	[ -s "$MCAP_CASE_OUT/ch$ch.mkv" ] || fail "record-all.sh wrote no ch$ch.mkv"
done
mcap_unload
echo "gst-pipelines OK"

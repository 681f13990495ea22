#!/bin/sh
# 10-compliance.sh - v4l2-compliance -s -f on every node of a 4-channel card
#
# All four nodes are tested at once (streaming on all of them concurrently).
# Passes when every run reports 0 failures and 0 warnings. The only
# tolerated failure is the Debian 12 v4l-utils 1.22 / kernel 6.1 skew on
# format description strings (fmtdesc "description" checks), which is
# reported but not counted. The input runs at 15 Hz: four compliance runs
# at once under TCG emulation must not starve the card into real drops,
# which v4l2-compliance reports as sequence warnings.
# timeout: 1200
set -u
. "$MCAP_ROOT/test/cases/lib.sh"

mcap_load channels=4 mode=640x480p15
out=$MCAP_CASE_OUT
pids=
for v in $(mcap_nodes); do
	n=$(basename "$v")
	v4l2-compliance -d "$v" -s -f >"$out/$n.txt" 2>&1 &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p"
done

bad=0
for f in "$out"/video*.txt; do
	total=$(grep '^Total for' "$f" | tail -n 1)
	echo "$(basename "$f" .txt): $total"
	[ -n "$total" ] || { echo "no totals in $f"; tail -n 30 "$f"; bad=1; continue; }
	fails=$(echo "$total" | sed -n 's/.*Failed: \([0-9]*\).*/\1/p')
	warns=$(echo "$total" | sed -n 's/.*Warnings: \([0-9]*\).*/\1/p')
	skew=$(grep -c 'fail:.*fmtdesc\|fail:.*description' "$f" || true)
	if [ "$fails" -ne "$skew" ] || [ "$warns" -ne 0 ]; then
		grep -E 'fail:|warn:' "$f"
		bad=1
	fi
	[ "$skew" -eq 0 ] || echo "  ($skew format-description skew line(s) tolerated)"
done
mcap_unload
[ $bad -eq 0 ] || fail "v4l2-compliance reported failures or warnings"
echo "compliance OK"

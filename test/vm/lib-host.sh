#!/bin/bash
# lib-host.sh - host-side helpers of the scripts that boot the test VM
#
# Sourced by test/demo.sh and test/bench/run-bench.sh (bash, after their
# ROOT, the tree's top, is set):
#   mcap_help SCRIPT               print SCRIPT's header comment, its --help
#                                  (line 2 up to the line before "set -u")
#   mcap_need WHO HINT FILE...     exit 1, saying "WHO: FILE missing: HINT",
#                                  unless every FILE exists
#   mcap_results_dir NAME          make results/NAME-<UTC time>/ and print
#                                  its absolute path
#   mcap_boot RES RUN SECS [OPT...]
#                                  boot the test VM (test/vm/boot.sh, console
#                                  only to RES/console.log) with the
#                                  boot.sh options OPT, run the script RUN
#                                  there, results in RES, hard timeout SECS;
#                                  returns boot.sh's exit status
#   mcap_unfinished MSG CONSOLE    say that a VM run did not finish (MSG),
#                                  where its console log is, and its end
: "${ROOT:?lib-host.sh: set ROOT before sourcing}"

mcap_help() {
	sed -n '2,/^set -u/p' "$1" | sed -e '$d' -e 's/^# \{0,1\}//'
}

mcap_need() {
	local who=$1 hint=$2 f
	shift 2
	for f in "$@"; do
		[ -e "$f" ] || { echo "$who: $f missing: $hint"; exit 1; }
	done
}

mcap_results_dir() {
	local dir
	dir=$ROOT/results/$1-$(date -u +%Y%m%dT%H%M%SZ)
	mkdir -p "$dir"
	(cd "$dir" && pwd -P)
}

mcap_boot() {
	local res=$1 run=$2 secs=$3
	shift 3
	MCAP_QUIET=1 "$ROOT/test/vm/boot.sh" "$@" --results "$res" \
		--run "$run" --timeout "$secs" >/dev/null
}

mcap_unfinished() {
	echo "$1; console: $2"
	tail -n 30 "$2"
}

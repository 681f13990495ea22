#!/bin/bash
# mutants.sh - show that checks fail when the behaviour they guard breaks
#
# Usage: test/mutants.sh [--kernel KVER] [NAME...]
#
# Each mutant below is a one-line break of the driver or the simulated card
# (a Perl substitution on one file) and the test case that must catch it.
# For each: the tree as it is (tracked and untracked files, not ignored
# ones) is copied to .build/mutants/NAME, the substitution applied (it must
# change the file), the modules and tools built there, and the case run in
# the test VM (test/run-tests.sh --filter). The mutant is "killed" when the
# case fails. Prints one line a mutant, the failing case's last FAIL line,
# and "N killed, N survived"; exit 0 iff every mutant was killed.
# Without NAMEs: every mutant. Takes about 4 minutes a mutant under TCG.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
KVER=${MCAP_KVER:-}
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) KVER=${2:?}; shift 2 ;;
	-h|--help) sed -n '2,/^set -/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "mutants.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) break ;;
	esac
done

# NAME|FILE|PERL SUBSTITUTION|GROUP|CASE (grep -E on GROUP/NN-name)|WHAT
MUTANTS=(
"poll-and-irq|src/multicap-irq.c|s/if \(poll_us \x7c\x7c dev->irq < 0\)/if (dev->irq < 0)/|check|check/50-polling|poll_us ignored: the interrupt path completes frames in polling mode"
"done-count-ignored|src/multicap-dma.c|s/ &&\n\t\t    le32_to_cpu\(e->done\) == buf->ndescs;/;/|check|check/35-faults|a frame whose ring entry is good but a descriptor was lost is delivered"
"held-buffer-written|src/sim/model/multicap-model-engine.c|s/\t\tch->drop_count\+\+;\n\t\treturn;\n\t\}\n\n\tch->entry_idx/\t\tch->cons = (ch->cons - 1) & MULTICAP_RING_IDX_MSK;\n\t}\n\n\tch->entry_idx/|check|check/32-held-canary|without a queued buffer the card writes the last one again, which the application holds"
"lines-per-chunk-fixed|src/multicap-dma.c|s/FIELD_PREP\(MULTICAP_FORMAT_LINES_MSK,\s*vc->lines_per_chunk\)/FIELD_PREP(MULTICAP_FORMAT_LINES_MSK, 16)/|check|check/42-registers|the card is told 16 lines per chunk whatever the driver built"
"channels-8-15-lost|src/multicap-irq.c|s/multicap_complete_frames\(dev, cause\)/multicap_complete_frames(dev, cause \& 0xff)/|check|check/62-teardown-races|the interrupt handler serves only channels 0-7"
"last-chunk-overrun|src/multicap-dma.c|s/l1 = min\(l0 \+ lines_per_chunk, lines\);/l1 = l0 + lines_per_chunk;/|check|check/22-integrity-lpc|a short last chunk is described as a whole one"
"card-name-shared-ffmpeg|src/multicap-video.c|s/strscpy\(cap->card, vc->vdev.name, sizeof\(cap->card\)\)/strscpy(cap->card, \"multicap\", sizeof(cap->card))/|check|check/77-ffmpeg|every channel reports the same QUERYCAP card, the name clients show"
"card-name-shared-pipewire|src/multicap-video.c|s/strscpy\(cap->card, vc->vdev.name, sizeof\(cap->card\)\)/strscpy(cap->card, \"multicap\", sizeof(cap->card))/|check|check/78-pipewire|every channel reports the same QUERYCAP card, the name clients show"
)

[ $# -gt 0 ] || set -- "${MUTANTS[@]%%|*}"
killed=0 survived=0
for name in "$@"; do
	m=$(printf '%s\n' "${MUTANTS[@]}" | grep "^$name|") ||
		{ echo "mutants.sh: no mutant $name" >&2; exit 2; }
	IFS='|' read -r _ file subst group case what <<<"$m"
	dir=$ROOT/.build/mutants/$name
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$ROOT" && git ls-files -co --exclude-standard -z | cpio -0pdm --quiet "$dir") ||
		{ echo "mutants.sh: cannot copy the tree" >&2; exit 1; }
	before=$(md5sum <"$dir/$file")
	perl -0pi -e "$subst" "$dir/$file"
	[ "$(md5sum <"$dir/$file")" != "$before" ] ||
		{ echo "mutants.sh: $name: the substitution changes nothing in $file (the code moved?)" >&2; exit 1; }
	log=$dir/mutant.log
	(cd "$dir" && diff -u "$ROOT/$file" "$file"; make modules tools) >"$log" 2>&1 ||
		{ echo "mutants.sh: $name: build failed, see $log" >&2; exit 1; }
	MCAP_RESULTS_DIR=$dir/results "$dir/test/run-tests.sh" ${KVER:+--kernel "$KVER"} \
		--group "$group" --filter "$case" --timeout 1200 >>"$log" 2>&1
	if grep -q "^FAIL $case" "$log"; then
		killed=$((killed + 1))
		why=$(grep -h '^FAIL:' "$dir"/results/*/"$case"*.log "$dir"/results/"$case"*.log 2>/dev/null | tail -n 1)
		echo "KILLED   $name ($what): $case fails: ${why:-see $log}"
	else
		survived=$((survived + 1))
		echo "SURVIVED $name ($what): $case passes, see $log"
	fi
done
echo "$killed killed, $survived survived"
[ $survived -eq 0 ]

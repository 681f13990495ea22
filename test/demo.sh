#!/bin/bash
# demo.sh - the main job: capture every channel of a simulated card, mosaic
#
# Usage: test/demo.sh [--kernel KVER]
# Boots the test VM (test/vm/boot.sh), loads multicap + multicap_sim with 4
# channels, captures all channels at once and writes results/demo-<time>/:
# mosaic.png (one tile per channel) and capture.txt (frames, fps, drops per
# channel), both shown here. MCAP_DEMO_MODE and MCAP_DEMO_FRAMES tune it.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KVER=()
[ "${1:-}" = --kernel ] && KVER=(--kernel "$2")

for f in "$ROOT/multicap.ko" "$ROOT/multicap_sim.ko" "$ROOT/test/tools/mcap-capture"; do
	[ -e "$f" ] || { echo "demo: $f missing: run make first"; exit 1; }
done
RES=$ROOT/results/demo-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RES"
RES=$(cd "$RES" && pwd -P)
cat >"$RES/guest-run.sh" <<EOS
#!/bin/sh
MCAP_ROOT='$ROOT' MCAP_RESULTS='$RES' MCAP_DEMO_MODE='${MCAP_DEMO_MODE:-}' \
MCAP_DEMO_FRAMES='${MCAP_DEMO_FRAMES:-}' exec sh '$ROOT/test/demo/guest-demo.sh'
EOS
echo "demo: booting the test VM (TCG, ~1 min)..."
MCAP_QUIET=1 "$ROOT/test/vm/boot.sh" "${KVER[@]}" --results "$RES" \
	--run "$RES/guest-run.sh" --timeout 900 >/dev/null
if [ ! -f "$RES/demo.rc" ]; then
	echo "demo: the VM run did not finish; console: $RES/console.log"
	tail -n 30 "$RES/console.log"
	exit 1
fi
cat "$RES/capture.txt"
echo
echo "results: $RES"
echo "mosaic:  $RES/mosaic.png"
exit "$(cat "$RES/demo.rc")"

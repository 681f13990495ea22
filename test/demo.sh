#!/bin/bash
# demo.sh - the main job: capture every channel of a simulated card, mosaic
#
# Usage: test/demo.sh [--kernel KVER] [--bus platform|pci]
# Boots the test VM (test/vm/boot.sh), loads multicap + multicap_sim with 4
# channels (--bus pci: a 4-channel PCIe card, the QEMU device, built once by
# test/vm/build-qemu.sh), captures all channels at once and writes
# results/demo-<time>/:
# mosaic.png (one tile per channel) and capture.txt (frames, fps, drops per
# channel), both shown here. MCAP_DEMO_MODE and MCAP_DEMO_FRAMES tune it.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=test/vm/lib-host.sh
. "$ROOT/test/vm/lib-host.sh"
KVER=()
BUS=platform
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) KVER=(--kernel "${2:?}"); shift 2 ;;
	--bus) BUS=${2:?}; shift 2 ;;
	-h|--help) mcap_help "$0"; exit 0 ;;
	*) echo "demo: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
BOOT=()
case "$BUS" in
platform) ;;
pci) BOOT=(--bus pci --cards 1 --channels 4 --mode "${MCAP_DEMO_MODE:-1280x720p30}") ;;
*) echo "demo: --bus must be platform or pci, not '$BUS'" >&2; exit 2 ;;
esac

mcap_need demo "run make first" "$ROOT/multicap.ko" "$ROOT/multicap_sim.ko" \
	"$ROOT/tools/mcap-capture"
RES=$(mcap_results_dir demo)
cat >"$RES/guest-run.sh" <<EOS
#!/bin/sh
MCAP_ROOT='$ROOT' MCAP_RESULTS='$RES' MCAP_DEMO_MODE='${MCAP_DEMO_MODE:-}' \
MCAP_DEMO_FRAMES='${MCAP_DEMO_FRAMES:-}' exec sh '$ROOT/test/demo/guest-demo.sh'
EOS
echo "demo: booting the test VM (TCG, ~1 min, bus $BUS)..."
mcap_boot "$RES" "$RES/guest-run.sh" 900 "${KVER[@]}" "${BOOT[@]}"
if [ ! -f "$RES/demo.rc" ]; then
	mcap_unfinished "demo: the VM run did not finish" "$RES/console.log"
	exit 1
fi
cat "$RES/capture.txt"
echo
echo "results: $RES"
echo "mosaic:  $RES/mosaic.png"
exit "$(cat "$RES/demo.rc")"

#!/bin/sh
# 00-guest-sane.sh - smoke test: the test VM itself is usable
#
# Runs in the guest via test/guest/runner.sh.  Checks that the booted kernel
# is the requested one (mcap.kver= on the kernel command line), that the
# project tree and the results share are visible, that debugfs and udev work,
# and that Debian's vivid module loads, creates video nodes (plus udev
# /dev/v4l/by-path links) and unloads cleanly.
# timeout: 180
set -eu

fail() { echo "FAIL: $*"; exit 1; }

want=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^mcap\.kver=//p')
echo "kernel: $(uname -r) (requested: ${want:-?})"
[ -n "$want" ] || fail "no mcap.kver= on the kernel command line"
[ "$(uname -r)" = "$want" ] || fail "booted $(uname -r), expected $want"

[ -f "$MCAP_ROOT/test/guest/runner.sh" ] || fail "project root $MCAP_ROOT not visible"
[ -d "/lib/modules/$(uname -r)/kernel" ] || fail "no modules for $(uname -r)"
echo ok >"$MCAP_CASE_OUT/write-test" || fail "results dir not writable"
[ -d /sys/kernel/debug/tracing ] || [ -d /sys/kernel/debug/slab ] ||
	fail "debugfs not mounted"
pgrep -x systemd-udevd >/dev/null || fail "systemd-udevd not running"

if lsmod | grep -q '^vivid '; then
	fail "vivid already loaded"
fi
modprobe vivid n_devs=1 || fail "modprobe vivid failed"
udevadm settle --timeout=30 || true
ls -l /dev/video* || fail "no /dev/video* after modprobe vivid"
ls -l /dev/v4l/by-path/ || fail "no /dev/v4l/by-path links (udev)"
if command -v v4l2-ctl >/dev/null; then
	for d in /dev/video*; do
		v4l2-ctl -d "$d" --info | sed -n 's/^\s*Card type\s*:/card:/p'
	done
fi
modprobe -r vivid || fail "modprobe -r vivid failed"
udevadm settle --timeout=30 || true
if lsmod | grep -q '^vivid '; then
	fail "vivid still loaded"
fi
if ls /dev/video* 2>/dev/null; then
	fail "video nodes left after unloading vivid"
fi
echo "smoke OK"

#!/bin/sh
# 66-security.sh - what an unprivileged user can and cannot reach
#
# - debugfs of the driver (registers, stats) and of the simulator (mode,
#   inject, dma_*) is root-only: modes 0400/0600/0200, and a user other
#   than root can neither read nor write them, even with the debugfs
#   mount opened up to everyone.
# - Register access ioctls: VIDIOC_DBG_G/S_REGISTER need CAP_SYS_ADMIN
#   (V4L2 core) and exist only with CONFIG_VIDEO_ADV_DEBUG: without
#   CAP_SYS_ADMIN they must fail whatever the kernel.
# - Buffers too small for the format never reach the card: USERPTR and
#   DMABUF buffers shorter than sizeimage are refused at QBUF, and the
#   card refused no DMA at all (dma_refused stays 0).
# timeout: 300
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

mcap_load channels=2 mode=320x240p30
# shellcheck disable=SC2046 # one word per node
set -- $(mcap_nodes)
dev=$(basename "$(readlink -f "/sys/class/video4linux/$(basename "$1")/device")")
D=/sys/kernel/debug
check_mode() { # FILE MODE
	m=$(stat -c %a "$1") || fail "no $1"
	[ "$m" = "$2" ] || fail "$1: mode $m, expected $2"
}
check_mode $D/multicap/$dev/registers 400
check_mode $D/multicap/$dev/ch0/stats 400
check_mode $MCAP_SIM_DBG/card0/ch0/mode 600
check_mode $MCAP_SIM_DBG/card0/ch0/inject 200
check_mode $MCAP_SIM_DBG/card0/dma_refused 400
check_mode $MCAP_SIM_DBG/card0/dma_mappings 400

# open the mount itself to everyone: the files must still refuse
dmode=$(stat -c %a $D)
chmod 755 $D
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
for f in $D/multicap/$dev/registers $D/multicap/$dev/ch0/stats \
	$MCAP_SIM_DBG/card0/ch0/mode $MCAP_SIM_DBG/card0/dma_refused; do
	nobody cat "$f" >/dev/null 2>&1 && { chmod $dmode $D; fail "nobody can read $f"; }
done
for f in $MCAP_SIM_DBG/card0/ch0/inject $MCAP_SIM_DBG/card0/ch0/mode; do
	nobody sh -c "echo link-down > $f" 2>/dev/null &&
		{ chmod $dmode $D; fail "nobody can write $f"; }
done
chmod $dmode $D
echo "debugfs: root-only"

# register ioctls: never without CAP_SYS_ADMIN (the node is opened to all)
chmod 666 "$1"
nobody "$MCAP_TOOLS/mcap-stress" reg "$1" || fail "register access as nobody"
setpriv --inh-caps=-all --bounding-set=-sys_admin "$MCAP_TOOLS/mcap-stress" reg "$1" ||
	fail "register access as root without CAP_SYS_ADMIN"
chmod 660 "$1"
if grep -q '^CONFIG_VIDEO_ADV_DEBUG=y' "/boot/config-$(uname -r)" 2>/dev/null; then
	"$MCAP_TOOLS/mcap-stress" reg "$1" && fail "DBG_G_REGISTER refused to root"
else
	echo "kernel without CONFIG_VIDEO_ADV_DEBUG: register ioctls absent for everyone"
fi

# buffers too small for the format are refused before the card sees them
"$MCAP_TOOLS/mcap-stress" short "$1" "$2" || fail "short buffers"
r=$(cat $MCAP_SIM_DBG/card0/dma_refused)
[ "$r" -eq 0 ] || fail "the card refused $r DMA accesses of a correct driver"
mcap_unload
echo "security OK"

#!/bin/sh
# 50-polling.sh - polling mode (poll_us=1000): the timer does all the work
#
# The driver ignores the interrupt and polls the data-ready vector; the
# same integrity checks must pass. Then, from the driver's and the card's
# own counters:
#  - every good frame was completed by the polling timer: poll_frames (the
#    frames its passes handed to vb2, card-wide) equals the sum of the
#    channels' frames, and is not 0;
#  - the interrupt path saw no work: irq_frames 0 and interrupts 0 in the
#    driver, and the card itself never sent its interrupt (its irqs counter,
#    multicap_sim's debugfs or the QEMU card's property), with IRQ_ENABLE 0
#    in the register dump and no handler of the card in /proc/interrupts.
# A driver that took the interrupt despite poll_us, or completed frames from
# both paths, fails here. As a control that these counters move, the same
# capture in interrupt mode must show the opposite: every frame completed by
# the handler, none by the timer, the card's interrupts counted.
# timeout: 900
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

# load the driver with $1 (may be empty), then the card
load() {
	[ "$MCAP_BUS" = pci ] && mcap_pci_params mode=320x240p30
	# shellcheck disable=SC2086 # no argument when empty
	mcap_load_driver $1
	if [ "$MCAP_BUS" = pci ]; then
		udevadm settle --timeout=30 2>/dev/null || true
	else
		mcap_load_sim channels=4 mode=320x240p30 || fail "load sim"
	fi
	[ -n "$(mcap_nodes)" ] || fail "no multicap node"
}

# interrupts card 0 has sent since it was created
card_irqs() {
	if [ "$MCAP_BUS" = pci ]; then
		mcap_qmp get mc0 irqs
	else
		cat "$MCAP_SIM_DBG/card0/irqs"
	fi
}

# sum of a counter over the nodes
sum_stat() {
	_k=$1
	shift
	_s=0
	for _v in "$@"; do
		_s=$((_s + $(mcap_stat "$_v" "$_k")))
	done
	echo $_s
}

n0=$(dmesg | grep -c 'polling every 1000 us')
load poll_us=1000
[ "$(dmesg | grep -c 'polling every 1000 us')" -gt "$n0" ] ||
	fail "no 'polling every 1000 us' in the kernel log"
irqs_before=$(card_irqs) || fail "cannot read the card's interrupt count"
"$MCAP_TOOLS/mcap-integrity" -i mmap -f all -n 8 || fail "integrity (mmap)"
"$MCAP_TOOLS/mcap-integrity" -i userptr -f NV12 -p 64 -n 20 || fail "integrity (userptr)"
# shellcheck disable=SC2046 # one word per node
set -- $(mcap_nodes)
card=$(basename "$(mcap_card_dbg "$1")")
frames=$(sum_stat frames "$@")
resets=$(sum_stat watchdog_resets "$@")
irqs=$(mcap_stat "$1" interrupts)
polls=$(mcap_stat "$1" polls)
pframes=$(mcap_stat "$1" poll_frames)
iframes=$(mcap_stat "$1" irq_frames)
sent=$(($(card_irqs) - irqs_before))
enable=$(sed -n 's/^[0-9a-f]* IRQ_ENABLE *//p' "$(mcap_card_dbg "$1")/registers")
echo "polling: frames=$frames poll_frames=$pframes irq_frames=$iframes interrupts=$irqs polls=$polls card sent $sent interrupts, IRQ_ENABLE=$enable watchdog_resets=$resets"
[ "$frames" -gt 0 ] || fail "no frames counted"
[ "$polls" -gt 0 ] || fail "no polls"
[ "$pframes" -gt 0 ] || fail "the polling timer completed no frame"
# frames a watchdog restart completes belong to neither path
if [ "$resets" -eq 0 ]; then
	[ "$pframes" -eq "$frames" ] ||
		fail "the polling timer completed $pframes of $frames frames"
else
	echo "note: $resets watchdog restarts: poll_frames compared as <= frames"
	[ "$pframes" -le "$frames" ] || fail "poll_frames $pframes > frames $frames"
fi
[ "$iframes" -eq 0 ] || fail "the interrupt handler completed $iframes frames in polling mode"
[ "$irqs" -eq 0 ] || fail "$irqs interrupts taken in polling mode"
[ "$sent" -eq 0 ] || fail "the card sent $sent interrupts in polling mode"
[ -n "$enable" ] || fail "no IRQ_ENABLE in the register dump"
[ $((enable)) -eq 0 ] || fail "IRQ_ENABLE is $enable in polling mode"
if grep -qw "$card" /proc/interrupts; then
	grep -w "$card" /proc/interrupts
	fail "an interrupt handler of $card is registered in polling mode"
fi
mcap_unload

# the control: interrupt mode, where the same counters must move the other way
load ""
irqs_before=$(card_irqs) || fail "cannot read the card's interrupt count"
v=$(mcap_nodes | head -n 1)
"$MCAP_TOOLS/mcap-integrity" -i mmap -f YUYV -n 20 "$v" || fail "integrity (interrupt mode)"
frames=$(mcap_stat "$v" frames)
resets=$(mcap_stat "$v" watchdog_resets)
pframes=$(mcap_stat "$v" poll_frames)
iframes=$(mcap_stat "$v" irq_frames)
sent=$(($(card_irqs) - irqs_before))
echo "interrupts: frames=$frames irq_frames=$iframes poll_frames=$pframes card sent $sent interrupts"
[ "$pframes" -eq 0 ] || fail "the polling timer completed $pframes frames in interrupt mode"
[ "$iframes" -gt 0 ] || fail "the interrupt handler completed no frame"
[ "$resets" -ne 0 ] || [ "$iframes" -eq "$frames" ] ||
	fail "the interrupt handler completed $iframes of $frames frames"
[ "$sent" -gt 0 ] || fail "the card sent no interrupt in interrupt mode"
mcap_unload
echo "polling OK"

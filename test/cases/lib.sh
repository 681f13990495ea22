#!/bin/sh
# lib.sh - helpers shared by the multicap test cases (sourced, guest only)
#
# Sourcing it only defines the helpers below and a few variables: it loads
# and unloads nothing. A case that loads the modules calls mcap_unload_stale
# first, so that modules left by an earlier case are gone.
#
# mcap_load [sim-params...]   load the driver, then the simulated card (on
#                             a PCI boot, mcap.bus=pci, only the driver: the
#                             cards are QEMU devices, their mode set at boot)
# mcap_unload                 unload both, fail if either stays loaded
# mcap_unload_stale           unload what an earlier case left (never fails)
# mcap_nodes                  print the multicap video nodes in channel order
# mcap_stat NODE KEY          print a debugfs counter of the node's channel
# mcap_card_dbg NODE          print the debugfs directory of the node's card
# mcap_frame_ns NODE          print the node's input frame period (ns)
# mcap_wait_exit SECS PID...  reap PIDs, which must all exit within SECS
# mcap_inject CARD CH FAULT   inject FAULT on channel CH of card CARD
# mcap_input CARD CH MODE     change that channel's input (none = cable out)
# mcap_qmp ARGS...            test/vm/mcap-qmp.py: QEMU's monitor (PCI boots)
# mcap_pci_plug ID BUS N PROP=VAL...  device_add a card; wait for N nodes
# mcap_stream_bg NODE...      stream each node until it fails (MCAP_PIDS)
# mcap_swiotlb_peak PID       reap PID, noting the most swiotlb slots in use
# mcap_disk SERIAL            the virtio disk with that serial (boot.sh --egress)
# mcap_netpair                namespaces mcaptx/mcaprx, a NIC each (--egress)
# fail MSG                    print FAIL: MSG and exit 1

fail() {
	echo "FAIL: $*"
	exit 1
}

: "${MCAP_ROOT:?}"
# shellcheck disable=SC2034 # for the cases, which source this file
MCAP_TOOLS=$MCAP_ROOT/test/tools MCAP_USER_TOOLS=$MCAP_ROOT/tools
MCAP_SIM_DBG=/sys/kernel/debug/multicap_sim

# Dependencies come from the booted kernel's own modules.
# shellcheck disable=SC2120 # the cases pass insmod parameters
mcap_load_driver() {
	for m in $(modinfo -F depends "$MCAP_ROOT/multicap.ko" | tr ',' ' '); do
		modprobe "$m" || fail "modprobe $m"
	done
	lsmod | grep -q '^multicap ' ||
		insmod "$MCAP_ROOT/multicap.ko" "$@" || fail "insmod multicap.ko $*"
}

mcap_load_sim() {
	insmod "$MCAP_ROOT/multicap_sim.ko" "$@" || return 1
	udevadm settle --timeout=30 2>/dev/null || true
}

MCAP_BUS=platform
grep -q 'mcap\.bus=pci' /proc/cmdline && MCAP_BUS=pci

mcap_load() {
	if [ "$MCAP_BUS" = pci ]; then
		mcap_pci_params "$@"
		mcap_load_driver
		udevadm settle --timeout=30 2>/dev/null || true
		return 0
	fi
	mcap_load_driver
	mcap_load_sim "$@" || fail "insmod multicap_sim.ko $*"
}

# The QEMU cards exist from boot: mode= becomes every channel's input (over
# QMP, before the driver probes); channels=N asks for at least N channels
# on card 0. Other simulator parameters have no PCI counterpart.
mcap_pci_params() {
	_ncards=$(lspci -n -d 10ee:7c10 | wc -l)
	[ "$_ncards" -ge 1 ] || fail "no multicap PCI card"
	_nch=$(mcap_qmp get mc0 channels) || fail "cannot read mc0's channel count"
	for _p in "$@"; do
		case "$_p" in
		mode=*)
			_vals=$(seq 0 $((_nch - 1)) | sed "s/\$/:${_p#mode=}/")
			_c=0
			while [ $_c -lt "$_ncards" ]; do
				# shellcheck disable=SC2086 # one CH:MODE word per channel
				mcap_qmp set "mc$_c" input $_vals || fail "set mc$_c's inputs"
				_c=$((_c + 1))
			done ;;
		channels=*)
			[ "${_p#channels=}" -le "$_nch" ] ||
				fail "$_p: the PCI card has $_nch channels (boot-args --channels)" ;;
		*) fail "$_p: no such setting on the PCI card" ;;
		esac
	done
}

mcap_unload() {
	if lsmod | grep -q '^multicap_sim '; then
		rmmod multicap_sim || fail "rmmod multicap_sim"
	fi
	if lsmod | grep -q '^multicap '; then
		rmmod multicap || fail "rmmod multicap"
	fi
	udevadm settle --timeout=30 2>/dev/null || true
}

# mcap_unload_stale: a case that failed half-way may have left the modules
# loaded; a case that loads them calls this first, to start clean. Never
# fails: what cannot be unloaded is only reported.
mcap_unload_stale() {
	for m in multicap_sim multicap; do
		if lsmod | grep -q "^$m "; then
			echo "lib.sh: unloading $m left by an earlier case"
			rmmod "$m" || echo "lib.sh: cannot unload $m"
		fi
	done
}

# mcap_wait_exit SECS PID...: wait (at most SECS seconds in all) until every
# PID has exited and reap it; 1 if one still runs. Sets MCAP_WAITED (tenths
# of a second it took).
mcap_wait_exit() {
	_lim=$(($1 * 10))
	shift
	MCAP_WAITED=0
	for _p in "$@"; do
		while kill -0 "$_p" 2>/dev/null && [ $MCAP_WAITED -lt $_lim ]; do
			sleep 0.1
			MCAP_WAITED=$((MCAP_WAITED + 1))
		done
		kill -0 "$_p" 2>/dev/null && return 1
		wait "$_p"
	done
	return 0
}

# Nodes sorted by card, then by channel (sysfs index).
mcap_nodes() {
	for d in /sys/class/video4linux/video*; do
		[ -e "$d/device/driver" ] || continue
		drv=$(basename "$(readlink "$d/device/driver")")
		[ "$drv" = multicap-sim ] || [ "$drv" = multicap ] || continue
		echo "$(basename "$(readlink -f "$d/device")") $(cat "$d/index") /dev/$(basename "$d")"
	done | sort -k1,1 -k2,2n | awk '{print $3}'
}

mcap_card_dbg() {
	echo "/sys/kernel/debug/multicap/$(basename "$(readlink -f "/sys/class/video4linux/$(basename "$1")/device")")"
}

# mcap_stat NODE KEY: a counter from the driver's debugfs stats
mcap_stat() {
	idx=$(cat "/sys/class/video4linux/$(basename "$1")/index")
	sed -n "s/^$2: //p" "$(mcap_card_dbg "$1")/ch$idx/stats"
}

# mcap_frame_ns NODE: the input's true period, the card's IN_FRAME_NS (the
# DV timings' frame interval cannot tell 60 Hz from 59.94 Hz)
mcap_frame_ns() {
	_idx=$(cat "/sys/class/video4linux/$(basename "$1")/index")
	echo $(($(sed -n "s/.* ch$_idx\.IN_FRAME_NS *//p" "$(mcap_card_dbg "$1")/registers")))
}

mcap_qmp() {
	python3 "$MCAP_ROOT/test/vm/mcap-qmp.py" "$@"
}

# The simulated card takes faults and input changes through its debugfs;
# the QEMU card through its qom properties (mcN is card N, see boot.sh).
mcap_inject() {
	if [ "$MCAP_BUS" = pci ]; then
		mcap_qmp set "mc$1" inject "$2:$3"
	else
		echo "$3" >"$MCAP_SIM_DBG/card$1/ch$2/inject"
	fi
}

mcap_input() {
	if [ "$MCAP_BUS" = pci ]; then
		mcap_qmp set "mc$1" input "$2:$3"
	else
		echo "$3" >"$MCAP_SIM_DBG/card$1/ch$2/mode"
	fi
}

# mcap_pci_plug ID BUS N PROP=VAL...: plug a multicap card into root port
# BUS (device_add) and wait, 60 s at most, until N multicap nodes exist.
# Sets MCAP_PLUG_S (seconds it took).
mcap_pci_plug() {
	_id=$1 _bus=$2 _want=$3
	shift 3
	mcap_qmp plug "$_id" "$_bus" "$@" || fail "device_add $_id"
	MCAP_PLUG_S=0
	while [ "$(mcap_nodes | wc -l)" -lt "$_want" ] && [ $MCAP_PLUG_S -lt 60 ]; do
		sleep 1
		MCAP_PLUG_S=$((MCAP_PLUG_S + 1))
	done
	udevadm settle --timeout=30 2>/dev/null || true
	[ "$(mcap_nodes | wc -l)" -eq "$_want" ] ||
		fail "$(mcap_nodes | wc -l) nodes after plugging $_id, expected $_want"
}

# mcap_stream_bg NODE...: v4l2-ctl streams each NODE (MMAP, a million
# frames: until it fails) in the background, its output in
# $MCAP_CASE_OUT/videoN.txt; their PIDs in MCAP_PIDS
mcap_stream_bg() {
	MCAP_PIDS=
	for _v in "$@"; do
		v4l2-ctl -d "$_v" --stream-mmap --stream-count=1000000 \
			>"$MCAP_CASE_OUT/$(basename "$_v").txt" 2>&1 &
		MCAP_PIDS="$MCAP_PIDS $!"
	done
}

# mcap_swiotlb_peak PID: wait for PID while noting the most swiotlb slots in
# use meanwhile (MCAP_SWIOTLB_PEAK); returns PID's exit status
mcap_swiotlb_peak() {
	MCAP_SWIOTLB_PEAK=0
	while kill -0 "$1" 2>/dev/null; do
		_n=$(cat /sys/kernel/debug/swiotlb/io_tlb_used 2>/dev/null || echo 0)
		[ "$_n" -le "$MCAP_SWIOTLB_PEAK" ] || MCAP_SWIOTLB_PEAK=$_n
		sleep 0.3
	done
	wait "$1"
}

# mcap_disk SERIAL: print the virtio-blk disk (/dev/vdX) whose serial is
# SERIAL (boot.sh --egress: mcaprec, mcapfull); fails the case if absent
mcap_disk() {
	modprobe virtio_blk 2>/dev/null
	udevadm settle --timeout=30 2>/dev/null || true
	for _b in /sys/block/vd*; do
		[ "$(cat "$_b/serial" 2>/dev/null)" = "$1" ] || continue
		[ -b "/dev/${_b##*/}" ] || mknod "/dev/${_b##*/}" b \
			"$(cut -d: -f1 "$_b/dev")" "$(cut -d: -f2 "$_b/dev")"
		echo "/dev/${_b##*/}"
		return 0
	done
	fail "no virtio disk with serial $1 (boot.sh --egress)"
}

# mcap_nic MAC: print the name of the interface with that MAC address
mcap_nic() {
	for _n in /sys/class/net/*; do
		[ "$(cat "$_n/address")" = "$1" ] && { echo "${_n##*/}"; return 0; }
	done
	return 1
}

# mcap_netpair: the two NICs of boot.sh --egress (e1000e: see there), which
# QEMU joins on a hub of their own, each moved into a network namespace: mcaptx holds
# 10.77.0.1/24 (fq root qdisc: it paces sockets with SO_MAX_PACING_RATE),
# mcaprx holds 10.77.0.2/24; lo is up in both. Traffic between them crosses
# a NIC driver and QEMU, never the host. Idempotent.
mcap_netpair() {
	if ip netns list | grep -qw mcaprx; then
		MCAP_NIC_TX=$(ip -n mcaptx -o link show | sed -n 's/^[0-9]*: \([^:@]*\).*52:54:00:4d:43:01.*/\1/p')
		MCAP_NIC_RX=$(ip -n mcaprx -o link show | sed -n 's/^[0-9]*: \([^:@]*\).*52:54:00:4d:43:02.*/\1/p')
		return 0
	fi
	modprobe -a e1000e virtio_net 2>/dev/null
	udevadm settle --timeout=30 2>/dev/null || true
	_tx=$(mcap_nic 52:54:00:4d:43:01) && _rx=$(mcap_nic 52:54:00:4d:43:02) ||
		fail "no NICs 52:54:00:4d:43:01/02 (boot.sh --egress)"
	for _ns in mcaptx mcaprx; do
		ip netns add "$_ns" || fail "ip netns add $_ns"
		ip -n "$_ns" link set lo up
	done
	ip link set "$_tx" netns mcaptx && ip link set "$_rx" netns mcaprx ||
		fail "moving the NICs into their namespaces"
	ip -n mcaptx addr add 10.77.0.1/24 dev "$_tx" &&
		ip -n mcaprx addr add 10.77.0.2/24 dev "$_rx" &&
		ip -n mcaptx link set "$_tx" up && ip -n mcaprx link set "$_rx" up &&
		ip netns exec mcaptx tc qdisc replace dev "$_tx" root fq ||
		fail "configuring the NICs"
	# shellcheck disable=SC2034 # for the cases, which source this file
	MCAP_NIC_TX=$_tx MCAP_NIC_RX=$_rx
	# both links up (carrier) before anyone sends
	for _i in $(seq 50); do
		[ "$(ip netns exec mcaptx cat "/sys/class/net/$_tx/operstate")" = up ] &&
			[ "$(ip netns exec mcaprx cat "/sys/class/net/$_rx/operstate")" = up ] &&
			return 0
		sleep 0.2
	done
	fail "NICs $_tx/$_rx not up"
}

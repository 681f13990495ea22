#!/bin/sh
# 00-plumbing.sh - what the egress cases write to is there and works
#
# boot.sh --egress gives the guest two sparse virtio disks (serial mcaprec,
# 2 GiB; mcapfull, 64 MiB) and two virtio NICs joined on a QEMU hub. The
# disks must have their sizes and take O_DIRECT writes through ext4; the
# NICs, once in their namespaces (mcap_netpair), must carry UDP from
# mcaptx to mcaprx and nothing must come back on any other interface.
# timeout: 180
set -u
. "$MCAP_ROOT/test/cases/lib.sh"

rec=$(mcap_disk mcaprec) full=$(mcap_disk mcapfull) || exit 1
for d in "$rec:4194304" "$full:131072"; do
	sectors=$(cat "/sys/block/$(basename "${d%:*}")/size")
	[ "$sectors" = "${d#*:}" ] || fail "${d%:*}: $sectors sectors, want ${d#*:}"
done
mkfs.ext4 -q -F "$rec" || fail "mkfs.ext4 $rec"
mkdir -p /mnt/rec && mount "$rec" /mnt/rec || fail "mount $rec"
out=$(dd if=/dev/zero of=/mnt/rec/direct bs=1M count=32 oflag=direct 2>&1) ||
	fail "O_DIRECT write on $rec: $out"
echo "$rec: $(echo "$out" | tail -n 1)"
umount /mnt/rec

mcap_netpair
echo "NICs: mcaptx $MCAP_NIC_TX 10.77.0.1, mcaprx $MCAP_NIC_RX 10.77.0.2"
ip netns exec mcaptx tc qdisc show dev "$MCAP_NIC_TX" | grep -q '^qdisc fq ' ||
	fail "no fq qdisc on $MCAP_NIC_TX"
got=$(ip netns exec mcaprx python3 -c '
import socket, sys
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.bind(("10.77.0.2", 5000)); r.settimeout(20)
sys.stdout.write("ready\n"); sys.stdout.flush()
n = 0
while n < 10:
    d, a = r.recvfrom(2000)
    if a[0] != "10.77.0.1" or len(d) != 1400: sys.exit("stray datagram from %s" % a[0])
    n += 1
print(n)' | {
	read -r ready
	[ "$ready" = ready ] && ip netns exec mcaptx python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(10): s.sendto(b"m" * 1400, ("10.77.0.2", 5000))'
	cat
})
[ "$got" = 10 ] || fail "10 datagrams sent mcaptx -> mcaprx, received '$got'"
echo "10 datagrams crossed $MCAP_NIC_TX -> $MCAP_NIC_RX"

#!/bin/sh
# 95-fuzz.sh - ioctl fuzzer on every node: no kernel report, no leak
#
# Four channels at 320x240p30. mcap-fuzz throws random and boundary
# arguments at every ioctl, read(), poll() and mmap() of all four nodes
# through three handles each (fixed seed, MCAP_FUZZ_COUNT calls, default
# 100000), with real buffers and some streaming; then every node must
# still capture (mcap-capture). The runner fails the case on any kernel
# report in the log (slub_debug=FZPU).
#
# Results (-W: every mcap-fuzz warning fails the case). A warning is the
# driver answering bad or unusual input wrongly, and each kind is a bug:
# ENOTTY from an ioctl the node implements, success where the call must
# fail (a bad pointer, an index out of range, a foreign buffer type, an
# input other than 0, an ioctl the driver lacks), an errno outside the set
# V4L2 documents (EINVAL, EBUSY, EFAULT, ENOTTY, EAGAIN, ...), a format or
# frame interval the driver could not deliver, an EXPBUF/DQBUF/ENUM answer
# that contradicts the node's state. What the V4L2 core and vb2 answer on
# the driver's behalf is expected and no warning: EPIPE from DQBUF/read()
# once vb2 is in its "last buffer dequeued" state (set from the flags the
# fuzzer itself passed), and the handler's own errno when a bad pointer's
# input part (what the core copies in) was readable; mcap-fuzz.c documents
# both.
#
# Leaks: slab (active objects of the kmalloc caches, and the kernel's Slab
# total) is measured after a settle (drop_caches, shrink every cache)
# twice before loading, after loading, after fuzzing and capturing (still
# loaded: every handle is closed, so the driver must be back to its
# after-load state) and after unloading (back to before loading). The
# tolerance is the noise seen between the two baselines plus a fixed
# allowance (see LEAK_OBJS, LEAK_SLAB_KB); a leak of one object per
# thousand calls is above it.
#
# Soak (one million calls, about ten times as long):
#   MCAP_FUZZ_COUNT=1000000 test/run-tests.sh --group check --filter fuzz --timeout 7200
# and in the case's timeout line below, or directly in the guest:
#   test/tools/mcap-fuzz -W -s 0x6d636170 -n 1000000 /dev/video0 ...
# Replay of a run: the seed is printed first ("replay: mcap-fuzz -s ...").
# timeout: 900
set -u
. "$MCAP_ROOT/test/cases/lib.sh"
mcap_unload_stale

COUNT=${MCAP_FUZZ_COUNT:-100000}
SEED=${MCAP_FUZZ_SEED:-0x6d636170}
LEAK_OBJS=${LEAK_OBJS:-300}
LEAK_SLAB_KB=${LEAK_SLAB_KB:-1024}
out=$MCAP_CASE_OUT

settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	for f in /sys/kernel/slab/*/shrink; do
		echo 1 >"$f" 2>/dev/null
	done
	sleep 1
}

# snap: "kmalloc-active-objects all-active-objects Slab-kB MemFree-kB"
snap() {
	settle
	awk 'NR > 2 { all += $2; if ($1 ~ /kmalloc-/) km += $2 }
	     END { printf "%d %d", km, all }' /proc/slabinfo
	awk '/^Slab:/ { s = $2 } /^MemFree:/ { f = $2 }
	     END { printf " %d %d\n", s, f }' /proc/meminfo
}

# kmalloc caches in detail, to see what grew
kmalloc_detail() {
	awk 'NR > 2 && $1 ~ /kmalloc-/ { print $1, $2 }' /proc/slabinfo
}

abs() { [ "$1" -lt 0 ] && echo $((-$1)) || echo "$1"; }

# the kernel's own media modules stay loaded after mcap_unload: load them
# before the baseline so that only multicap's allocations are compared
for ko in multicap.ko multicap_sim.ko; do
	for m in $(modinfo -F depends "$MCAP_ROOT/$ko" | tr ',' ' '); do
		modprobe "$m" 2>/dev/null
	done
done
b1=$(snap)
b2=$(snap)
kmalloc_detail >"$out/slab-before.txt"
echo "baseline 1 (kmalloc objs, all objs, Slab kB, MemFree kB): $b1"
echo "baseline 2:                                              $b2"
set -- $b1 $b2
noise_objs=$(abs $(($5 - $1)))
noise_slab=$(abs $(($7 - $3)))
tol_objs=$((LEAK_OBJS + 2 * noise_objs))
tol_slab=$((LEAK_SLAB_KB + 2 * noise_slab))
base_km=$5 base_slab=$7
echo "noise: $noise_objs kmalloc objects, $noise_slab kB Slab;" \
	"tolerance: $tol_objs objects, $tol_slab kB"

mcap_load channels=4 mode=320x240p30
nodes=$(mcap_nodes)
[ "$(echo $nodes | wc -w)" -eq 4 ] || fail "expected 4 nodes, got: $nodes"
l1=$(snap)
kmalloc_detail >"$out/slab-loaded.txt"
echo "loaded:                                                  $l1"

t0=$(date +%s)
"$MCAP_TOOLS/mcap-fuzz" -W -s "$SEED" -n "$COUNT" ${MCAP_FUZZ_ARGS:-} $nodes \
	>"$out/fuzz.txt" 2>&1
rc=$?
t1=$(date +%s)
grep -v '^  [A-Z_]* *[0-9]*:' "$out/fuzz.txt" | head -n 60
sed -n '/^results per call/,$p' "$out/fuzz.txt"
echo "fuzzing took $((t1 - t0)) s"
if [ $rc -ne 0 ]; then
	why=$(grep -m1 '^FAIL' "$out/fuzz.txt")
	# a stuck fuzzer (oops with the node's lock held) leaves the nodes
	# unusable: touch nothing; otherwise unload for the cases after this
	grep -q 'stuck in the kernel' "$out/fuzz.txt" || mcap_unload
	fail "mcap-fuzz exit status $rc: $why"
fi
calls=$(sed -n 's/^mcap-fuzz: \([0-9]*\) calls in.*/\1/p' "$out/fuzz.txt")
[ "${calls:-0}" -ge "$COUNT" ] || fail "only ${calls:-0} of $COUNT calls made"

# the driver still works: every node captures
"$MCAP_USER_TOOLS/mcap-capture" -n 30 $nodes || fail "capture after fuzzing"

l2=$(snap)
kmalloc_detail >"$out/slab-after.txt"
echo "fuzzed, all closed:                                      $l2"
mcap_unload
e=$(snap)
kmalloc_detail >"$out/slab-unloaded.txt"
echo "unloaded:                                                $e"
echo "kmalloc caches that grew from before loading to after unloading:"
join "$out/slab-before.txt" "$out/slab-unloaded.txt" |
	awk '$3 - $2 > 16 { print "  " $1, $2, "->", $3 }'

set -- $l1 $l2
d_loaded=$(($5 - $1))
d_loaded_slab=$(($7 - $3))
set -- $e
d_end=$(($1 - base_km))
d_end_slab=$(($3 - base_slab))
echo "kmalloc objects: loaded +$d_loaded after fuzzing, +$d_end after unloading"
echo "Slab kB:         loaded +$d_loaded_slab after fuzzing, +$d_end_slab after unloading"
[ "$d_loaded" -le "$tol_objs" ] ||
	fail "kmalloc objects grew by $d_loaded while loaded (tolerance $tol_objs)"
[ "$d_end" -le "$tol_objs" ] ||
	fail "kmalloc objects grew by $d_end after unload (tolerance $tol_objs)"
[ "$d_loaded_slab" -le "$tol_slab" ] ||
	fail "Slab grew by $d_loaded_slab kB while loaded (tolerance $tol_slab)"
[ "$d_end_slab" -le "$tol_slab" ] ||
	fail "Slab grew by $d_end_slab kB after unload (tolerance $tol_slab)"
echo "fuzz OK: $calls calls"

# SPDX-License-Identifier: GPL-2.0-only
#
# Makefile - build, test and demo the multicap driver and its simulated card
#
#   make              build multicap.ko and multicap_sim.ko against KDIR
#   make demo         build, boot the test VM, capture every channel, mosaic
#                     (BUS=pci: on a PCIe card, the QEMU device)
#   make check        dkms build check, the QEMU PCIe card device (built once,
#                     cached outside the tree), then the whole test suite in the VM
#                     (KVER=6.12.107+deb12-amd64 boots Debian's 6.12 instead)
#   make check-debug  the suite on a debug kernel built from linux-source-6.1
#                     (KASAN, lockdep, kmemleak, DMA-API debug ...; cached
#                     outside the tree), DEBUG_CONFIG=kcsan for KCSAN; hours
#   make lint         sparse, checkpatch --strict and a W=1 -Werror build, then
#                     the compat header's newest-kernel branches (test/compat/)
#   make compat       only those, then a W=1 build against every installed
#                     kernel's headers (the build matrix)
#   make intree       build as drivers/media/pci/multicap/ in a Debian 6.1
#                     kernel tree (unpacked once, cached outside the clone)
#   make bench        benchmarks in the VM: results/bench-<time>/ (JSON, table, plots)
#   make mutants      break the driver one line at a time (test/mutants.sh): the
#                     check guarding each line must fail
#   make install      install the modules into /lib/modules/$(KVER), the
#                     sample clients (tools/) and <linux/multicap.h> under PREFIX
#
# KVER defaults to the packaged Debian 6.1 kernel the test VM boots, not the
# running kernel of the build machine.

KVER ?= $(shell ls /lib/modules 2>/dev/null | grep -E '^6\.1\.[0-9]+-[0-9]+-amd64$$' | sort -V | tail -n 1)
KDIR ?= /lib/modules/$(KVER)/build
BUS ?= platform
PWD := $(CURDIR)
PREFIX ?= /usr/local
SRCS := $(wildcard src/*.c src/*.h src/sim/*.c src/sim/*.h src/sim/model/*.[ch] include/*.h \
	include/uapi/linux/*.h)

.PHONY: all modules deps clean install uninstall lint lint-run compat intree check check-run check-debug mutants mutants-run demo demo-run tools \
	bench bench-run soak soak-run

all: modules

deps:
	@test/install-deps.sh

modules:
	@test -d "$(KDIR)" || { echo "no kernel headers at KDIR=$(KDIR); run 'make deps' or set KDIR"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(PWD) W=1 modules

tools:
	$(MAKE) -C tools
	$(MAKE) -C test/tools

install: modules
	$(MAKE) -C $(KDIR) M=$(PWD) INSTALL_MOD_DIR=updates modules_install
	depmod -a $(KVER)
	$(MAKE) -C tools install PREFIX=$(PREFIX)
	install -D -m 0644 include/uapi/linux/multicap.h $(DESTDIR)$(PREFIX)/include/linux/multicap.h
	install -D -m 0644 udev/60-multicap.rules $(DESTDIR)/etc/udev/rules.d/60-multicap.rules
	udevadm control --reload 2>/dev/null || true

uninstall:
	rm -f /lib/modules/$(KVER)/updates/multicap.ko* /lib/modules/$(KVER)/updates/multicap_sim.ko* \
	      /lib/modules/$(KVER)/extra/multicap.ko* /lib/modules/$(KVER)/extra/multicap_sim.ko*
	depmod -a $(KVER)
	$(MAKE) -C tools uninstall PREFIX=$(PREFIX)
	rm -f $(DESTDIR)$(PREFIX)/include/linux/multicap.h
	rm -f $(DESTDIR)/etc/udev/rules.d/60-multicap.rules
	udevadm control --reload 2>/dev/null || true

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean
	-$(MAKE) -C tools clean
	-$(MAKE) -C test/tools clean

# The targets below install what is missing first, then re-run make so that
# KVER/KDIR are worked out with the kernel headers in place.
lint: deps
	$(MAKE) lint-run

lint-run:
	test/lint.sh "$(KDIR)"

compat: deps
	test/compat/check.sh
	test/compat/build-matrix.sh

intree:
	test/intree-build.sh

check: deps
	$(MAKE) check-run

check-run: modules tools
	test/dkms-check.sh
	test/vm/multicap-qtest.py
	test/run-tests.sh --kernel $(KVER) --group smoke,check,swiotlb,egress,pci,pci-iommu,pci-hotplug --timeout 2400

# The suite under a kernel of checkers (test/check-debug.sh, issue 17); not in
# CI: the kernel build alone takes 30-60 minutes and the run several hours.
DEBUG_CONFIG ?= debug
check-debug: deps
	test/check-debug.sh --config $(DEBUG_CONFIG)

# Long runs: SOAK_SECONDS of checked 4-channel capture and of a 4-channel
# recording to disk (mcap-record, the egress boot), 10^6 fuzzed ioctls.
SOAK_SECONDS ?= 3600
soak: deps
	$(MAKE) soak-run

soak-run: modules tools
	MCAP_SOAK_SECONDS=$(SOAK_SECONDS) MCAP_FUZZ_COUNT=1000000 \
		test/run-tests.sh --kernel $(KVER) --group soak,soak-egress --timeout $$(($(SOAK_SECONDS) + 3600))

# One-line breaks of the driver that named checks must catch (issue 17).
mutants: deps
	$(MAKE) mutants-run

mutants-run: modules tools
	test/mutants.sh --kernel $(KVER)

demo: deps
	$(MAKE) demo-run

demo-run: modules tools
	test/demo.sh --kernel $(KVER) --bus $(BUS)

bench: deps
	$(MAKE) bench-run

bench-run: modules tools
	test/bench/run-bench.sh --kernel $(KVER)

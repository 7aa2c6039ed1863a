# SPDX-License-Identifier: GPL-2.0
#
# wgmesh top-level build. `make` builds the module (against KDIR) and the
# CLI; `make check` installs what is missing, builds everything and runs
# the unit tests and the VM selftests on both test kernels; `make demo`
# shows the system working in a VM.
#
# The host kernel has no module support, so KDIR never defaults to
# `uname -r`: it defaults to the headers of the newest installed Debian 6.1
# cloud kernel. Kernel versions are discovered, never hard-coded.

# The summary line of `make check` must stay the last line printed.
MAKEFLAGS += --no-print-directory

# Test kernel lines: Debian 12's 6.1 and 6.12 cloud kernels.
KERNEL_LINES ?= 6.1 6.12
KFLAVOUR ?= cloud-amd64

# the release of a kernel line or release, e.g. $(call resolve_kver,6.1):
# selftests/lib/kernel.sh, which the test scripts use too
resolve_kver = $(shell KFLAVOUR='$(KFLAVOUR)' bash -c \
	'. "$$0" && resolve_kver "$$1"' $(CURDIR)/selftests/lib/kernel.sh '$(1)')

KVER ?= $(call resolve_kver,$(firstword $(KERNEL_LINES)))
KDIR ?= /usr/src/linux-headers-$(KVER)
# KERNELS (lines or full releases) narrows or changes the test kernels.
TEST_KVERS = $(foreach k,$(or $(KERNELS),$(KERNEL_LINES)),$(call resolve_kver,$(k)))

# Packages `make deps` installs when missing (Debian 12).
DEPS_PKGS := build-essential gcc make pkg-config libmnl-dev libsodium-dev \
	qemu-system-x86 busybox-static wireguard-tools iproute2 iputils-ping \
	iperf3 socat tcpdump jq dkms kmod cpio xz-utils clang valgrind \
	sparse linux-source-6.12 python3-yaml python3-jsonschema mandoc bash-completion \
	libqrencode-dev zbar-tools libnftables-dev nftables radvd \
	linux-image-$(KFLAVOUR) linux-headers-$(KFLAVOUR) \
	linux-image-6.12-$(KFLAVOUR) linux-headers-6.12-$(KFLAVOUR)

# Extra packages of `make check-debug` only (kernel source and what building
# a kernel needs); `make deps` and `make check` never install them.
DEPS_DEBUG_PKGS := linux-source-6.12 bc bison flex libelf-dev libssl-dev \
	perl python3 xz-utils

HAVE_TOOLS = $(wildcard tools/Makefile)
HAVE_SELFTESTS_MK = $(wildcard selftests/Makefile)

.PHONY: all module tools selftests modules-all deps check check-run demo \
	demo-run fuzz bench bench-run clean help kernel-style ksrc deps-debug \
	check-debug check-debug-run debug-kernel

all: module tools

help:
	@echo "make               module (KDIR=$(KDIR)) and CLI"
	@echo "make modules-all   wgmesh.ko for every test kernel into build/<kver>/"
	@echo "make deps          apt-get install whatever is missing"
	@echo "make check         deps, build, unit tests, VM selftests on all test kernels"
	@echo "                   (TESTS='smoke ...' KERNELS='6.1 ...' to narrow it)"
	@echo "make demo          boot a VM and show wgmesh working"
	@echo "make check-debug   VM selftests on a KASAN/lockdep/kmemleak 6.12 kernel"
	@echo "                   (built once into build/debug-kernel/; TESTS= narrows it)"
	@echo "make fuzz|bench    run the fuzzers / the benchmark"
	@echo "make module KDIR=/lib/modules/\$$(uname -r)/build   the module for the running kernel"
	@echo "make install|uninstall   CLI, man pages, completion, unit, DKMS sources"
	@echo "                   (PREFIX=/usr/local DESTDIR= sbindir= mandir= ...)"
	@echo "make dkms-install  install, then dkms add/build/install (running kernel)"
	@echo "make deb           Debian packages wgmesh, wgmesh-dkms into build/deb/ (+ lintian)"
	@echo "make check-system  boot Debian 12 with systemd in qemu, install the .debs, test (minutes)"

module:
	@test -d "$(KDIR)" || { echo "make: kernel headers not found: KDIR=$(KDIR) (run 'make deps')" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(if $(W),W=$(W)) modules

tools:
ifneq ($(HAVE_TOOLS),)
	$(MAKE) -C tools
endif

selftests: tools
ifneq ($(HAVE_SELFTESTS_MK),)
	$(MAKE) -C selftests
endif

# Each kernel gets its own copy of the sources so that builds for different
# kernels never share object files. Per kernel: wgmesh.ko, its debug build
# (debug/wgmesh.ko: the lookup selftest runs at load) and the helper modules
# of the selftests (selftests/kmod/).
modules-all:
	@test -n "$(strip $(TEST_KVERS))" || { echo "make: no test kernel headers installed (run 'make deps')" >&2; exit 1; }
	@set -e; for kver in $(TEST_KVERS); do \
		kmake="$(MAKE) -s -C /usr/src/linux-headers-$$kver $(if $(W),W=$(W))"; \
		mkdir -p build/$$kver/src build/$$kver/debug/src build/$$kver/kmod; \
		cp -ru Kbuild kernel build/$$kver/src/; \
		cp -ru Kbuild kernel build/$$kver/debug/src/; \
		cp -ru selftests/kmod/. build/$$kver/kmod/; \
		echo "  MODULE  build/$$kver/wgmesh.ko"; \
		$$kmake M=$(CURDIR)/build/$$kver/src modules; \
		cp build/$$kver/src/wgmesh.ko build/$$kver/wgmesh.ko; \
		echo "  MODULE  build/$$kver/debug/wgmesh.ko"; \
		$$kmake M=$(CURDIR)/build/$$kver/debug/src WGMESH_DEBUG=1 modules; \
		cp build/$$kver/debug/src/wgmesh.ko build/$$kver/debug/wgmesh.ko; \
		echo "  MODULE  build/$$kver/kmod/*.ko"; \
		$$kmake M=$(CURDIR)/build/$$kver/kmod modules; \
	done

# The module's style gate, run by make check: sparse over a debug build
# (selftests included) against the newest test kernel, checkpatch --strict
# at netdev's 80 columns, and the spec check (kernel/ynl-regen.sh). Long
# user-visible strings stay whole (LONG_LINE_STRING); policy.c is generated.
# compat.h's exceptions, all in one place: out of tree it must compare
# LINUX_VERSION_CODE (with the constant on the left, as KERNEL_VERSION
# reads), and its two-branch extack macro ignores msg or fmt on one side.
CHECKPATCH_COMPAT_IGNORE := LINUX_VERSION_CODE,CONSTANT_COMPARISON,MACRO_ARG_UNUSED,MACRO_ARG_REUSE
KSRC_TARBALL = $(firstword $(wildcard /usr/src/linux-source-6.12.tar.*))
KSRC = build/linux-source-6.12
CHECKPATCH = perl $(KSRC)/scripts/checkpatch.pl --no-tree --strict --terse \
	--max-line-length=80 --ignore LONG_LINE_STRING
STYLE_KVER = $(lastword $(TEST_KVERS))

ksrc: $(KSRC)/.unpacked
$(KSRC)/.unpacked: $(KSRC_TARBALL)
	@test -n "$<" || { echo "make: linux-source-6.12 is not installed (run 'make deps')" >&2; exit 1; }
	@rm -rf $(KSRC) && mkdir -p build
	tar -C build -xf $< --wildcards '*/tools/net/ynl/*' '*/Documentation/netlink/*' \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'
	@touch $@

# checkpatch's exit status ignores CHECKs: any line it prints fails.
kernel-style: ksrc
	kernel/ynl-regen.sh --check
	@out=$$( { $(CHECKPATCH) -f $(filter-out kernel/compat.h kernel/policy.c,$(wildcard kernel/*.[ch] kernel/selftest/*.[ch])) selftests/kmod/*.c selftests/bench/icount/span.c; \
		$(CHECKPATCH) --ignore $(CHECKPATCH_COMPAT_IGNORE) -f kernel/compat.h; } | grep -v '^total:'); \
	if [ -n "$$out" ]; then echo "$$out"; echo "make: checkpatch --strict found the above" >&2; exit 1; fi
	@mkdir -p build/sparse && cp -ru Kbuild kernel build/sparse/
	$(MAKE) -s -C /usr/src/linux-headers-$(STYLE_KVER) M=$(CURDIR)/build/sparse \
		WGMESH_DEBUG=1 C=2 CHECK="sparse -Wsparse-error" modules

deps:
	@missing=$$(dpkg-query -W -f='$${Package} $${db:Status-Abbrev}\n' $(DEPS_PKGS) 2>/dev/null | \
		awk '$$2 == "ii" { print $$1 }' | sort > /tmp/wgmesh-deps.$$$$; \
		for p in $(DEPS_PKGS); do grep -qx "$$p" /tmp/wgmesh-deps.$$$$ || echo $$p; done; \
		rm -f /tmp/wgmesh-deps.$$$$); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing" $$missing; \
		if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# The same apt step for the debug lane's own package list, after make deps
# (one apt-get at a time).
deps-debug: deps
	@$(MAKE) deps DEPS_PKGS="$(DEPS_DEBUG_PKGS)"

# Kernel versions are computed in sub-makes, after deps may have installed them.
check: deps
	$(MAKE) check-run

# The module must stay W=1 clean: make check treats its warnings as errors.
check-run: selftests
	$(MAKE) modules-all W=1 KCFLAGS=-Werror
	$(MAKE) kernel-style
	selftests/run_tests.sh $(if $(TESTS),--tests "$(TESTS)") --kernels "$(or $(KERNELS),$(KERNEL_LINES))"

# The debug-kernel lane: a 6.12 kernel with KASAN, lockdep and kmemleak,
# built once into build/debug-kernel/, then every VM selftest on it. It is
# slow and stays out of `make check` and .ci/run.
check-debug: deps-debug
	$(MAKE) check-debug-run

check-debug-run: selftests
	selftests/debug/check.sh $(if $(TESTS),--tests "$(TESTS)")

# Only the debug lane's kernel (cached); prints its release.
debug-kernel: deps-debug
	selftests/debug/kernel.sh

demo: deps
	$(MAKE) demo-run

demo-run: modules-all selftests
	selftests/vm/run.sh -k "$(or $(KERNEL),$(firstword $(KERNEL_LINES)))" -t 300 -- selftests/demo.sh

fuzz: deps
ifneq ($(HAVE_TOOLS),)
	$(MAKE) -C tools fuzz
else
	@echo "fuzz: no tools/ yet" >&2; exit 1
endif

bench: deps
	$(MAKE) bench-run

bench-run: modules-all selftests
	selftests/bench/run.sh $(if $(KERNELS),-k "$(KERNELS)")

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
ifneq ($(HAVE_TOOLS),)
	$(MAKE) -C tools clean
endif
ifneq ($(HAVE_SELFTESTS_MK),)
	$(MAKE) -C selftests clean
endif
	rm -rf build

# install, uninstall, dkms-install, deb, check-system
include packaging.mk

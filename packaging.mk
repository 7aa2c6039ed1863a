# SPDX-License-Identifier: GPL-2.0
#
# Installing wgmesh, included by the top-level Makefile:
#
#   make install        the CLI, man pages, bash completion, systemd unit,
#                       and the module's sources for DKMS under
#                       $(dkmsdir)/wgmesh-$(VERSION)
#   make uninstall      removes all of it (and the module from DKMS)
#   make dkms-install   make install-dkms, then dkms add, build, install
#                       for the running kernel (KERNELRELEASE=... for another)
#   make deb            the Debian packages wgmesh and wgmesh-dkms into
#                       build/deb/, with dpkg-buildpackage, then lintian
#   make check-system   the booted-system test (selftests/system/run.sh):
#                       minutes, so not part of make check
#
# GNU directory variables, overridable on the command line, with DESTDIR
# for staged installs. The unit reads /etc/wgmesh (sysconfdir) whatever
# the prefix, as wg-quick reads /etc/wireguard; DKMS only looks in
# /usr/src (dkmsdir).

VERSION := $(shell sed -n 's/^\#define WGMESH_VERSION "\(.*\)"/\1/p' kernel/version.h)

PREFIX ?= /usr/local
prefix ?= $(PREFIX)
exec_prefix ?= $(prefix)
sbindir ?= $(exec_prefix)/sbin
datarootdir ?= $(prefix)/share
mandir ?= $(datarootdir)/man
man5dir ?= $(mandir)/man5
man8dir ?= $(mandir)/man8
sysconfdir ?= /etc
bashcompletiondir ?= $(datarootdir)/bash-completion/completions
systemdunitdir ?= $(prefix)/lib/systemd/system
dkmsdir ?= /usr/src
INSTALL ?= install
INSTALL_PROGRAM ?= $(INSTALL)
INSTALL_DATA ?= $(INSTALL) -m 0644

DKMS_SRC = $(DESTDIR)$(dkmsdir)/wgmesh-$(VERSION)
# What DKMS builds from: the Kbuild file and the module's C sources (the
# debug and bench builds included, for WGMESH_DEBUG=1 by hand).
DKMS_FILES = Kbuild $(wildcard kernel/*.[ch] kernel/uapi/*.h kernel/selftest/*.[ch])

.PHONY: install install-cli install-dkms uninstall dkms-install dkms-uninstall \
	deb deb-run deps-deb check-system check-system-run deps-system

install: install-cli install-dkms

tools/wgmesh: FORCE
	$(MAKE) -C tools wgmesh
FORCE:

install-cli: tools/wgmesh
	$(INSTALL) -d $(DESTDIR)$(sbindir) $(DESTDIR)$(man5dir) $(DESTDIR)$(man8dir) \
		$(DESTDIR)$(bashcompletiondir) $(DESTDIR)$(systemdunitdir)
	$(INSTALL) -d $(DESTDIR)$(sysconfdir)/wgmesh
	$(INSTALL_PROGRAM) tools/wgmesh $(DESTDIR)$(sbindir)/wgmesh
	$(INSTALL_DATA) man/wgmesh.8 $(DESTDIR)$(man8dir)/wgmesh.8
	$(INSTALL_DATA) man/wgmesh.conf.5 $(DESTDIR)$(man5dir)/wgmesh.conf.5
	$(INSTALL_DATA) completion/wgmesh.bash $(DESTDIR)$(bashcompletiondir)/wgmesh
	sed 's|@sbindir@|$(sbindir)|g' systemd/wgmesh@.service.in > $(DESTDIR)$(systemdunitdir)/wgmesh@.service
	chmod 0644 $(DESTDIR)$(systemdunitdir)/wgmesh@.service
	sed 's|@sbindir@|$(sbindir)|g' systemd/wgmesh-watch@.service.in > $(DESTDIR)$(systemdunitdir)/wgmesh-watch@.service
	chmod 0644 $(DESTDIR)$(systemdunitdir)/wgmesh-watch@.service

install-dkms:
	@test -n "$(VERSION)" || { echo "make: no WGMESH_VERSION in kernel/version.h" >&2; exit 1; }
	$(INSTALL) -d $(sort $(dir $(addprefix $(DKMS_SRC)/,$(DKMS_FILES))))
	for f in $(DKMS_FILES); do $(INSTALL_DATA) $$f $(DKMS_SRC)/$$f || exit 1; done
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf > $(DKMS_SRC)/dkms.conf
	chmod 0644 $(DKMS_SRC)/dkms.conf

# Without DESTDIR, a module DKMS still knows is removed from it first.
uninstall:
	@if [ -z "$(DESTDIR)" ] && command -v dkms >/dev/null && \
	   [ -n "$$(dkms status -m wgmesh -v $(VERSION) 2>/dev/null)" ]; then \
		echo "dkms remove wgmesh/$(VERSION) --all"; dkms remove wgmesh/$(VERSION) --all; fi
	rm -f $(DESTDIR)$(sbindir)/wgmesh $(DESTDIR)$(man8dir)/wgmesh.8 \
		$(DESTDIR)$(man5dir)/wgmesh.conf.5 $(DESTDIR)$(bashcompletiondir)/wgmesh \
		$(DESTDIR)$(systemdunitdir)/wgmesh@.service \
		$(DESTDIR)$(systemdunitdir)/wgmesh-watch@.service
	rm -rf $(DKMS_SRC)
	-rmdir $(DESTDIR)$(sysconfdir)/wgmesh 2>/dev/null

KERNELRELEASE ?= $(shell uname -r)
dkms-install: install-dkms
	dkms add wgmesh/$(VERSION)
	dkms build wgmesh/$(VERSION) -k $(KERNELRELEASE)
	dkms install wgmesh/$(VERSION) -k $(KERNELRELEASE)

dkms-uninstall:
	dkms remove wgmesh/$(VERSION) --all
	rm -rf $(DKMS_SRC)

# ---------------------------------------------------------------- deb
DEB_DEPS_PKGS := dpkg-dev debhelper dh-dkms fakeroot lintian libmnl-dev \
	libnftables-dev libqrencode-dev libsodium-dev pkg-config
DEB_DIR = build/deb

deps-deb:
	@$(MAKE) deps DEPS_PKGS='$(DEB_DEPS_PKGS)'

deb: deps-deb
	$(MAKE) deb-run

# dpkg-buildpackage writes its results next to the source tree, so it runs
# on a copy in build/deb/src (no build output, no .git): the packages land
# in build/deb/. Then lintian, which fails on errors and warnings.
deb-run:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src/wgmesh-$(VERSION)
	tar -cf - --exclude=./build --exclude=./.git --exclude='*.o' --exclude='*.ko' \
		--exclude='*.cmd' --exclude='*.mod' --exclude='*.mod.c' --exclude='*.d' \
		--exclude=./tools/wgmesh --exclude=./tools/tests/build --exclude=./selftests/wgmesh-nlfuzz \
		--exclude=Module.symvers --exclude=modules.order . | \
		tar -C $(DEB_DIR)/src/wgmesh-$(VERSION) -xf -
	cd $(DEB_DIR)/src/wgmesh-$(VERSION) && dpkg-buildpackage -us -uc -b
	mv $(DEB_DIR)/src/*.deb $(DEB_DIR)/src/*.buildinfo $(DEB_DIR)/src/*.changes $(DEB_DIR)/
	lintian --info --display-info --fail-on error,warning $(DEB_DIR)/*.changes
	@ls -l $(DEB_DIR)/*.deb

# ---------------------------------------------------------------- system
DEPS_SYSTEM_PKGS := mmdebstrap e2fsprogs qemu-system-x86 qemu-utils

deps-system:
	@$(MAKE) deps DEPS_PKGS='$(DEPS_SYSTEM_PKGS)'

check-system: deps-system deb
	$(MAKE) check-system-run

check-system-run:
	selftests/system/run.sh

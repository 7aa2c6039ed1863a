/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The wgmesh version, written here and nowhere else: wgmesh.ko's
 * MODULE_VERSION, `wgmesh --version`, the PACKAGE_VERSION of the installed
 * dkms.conf (make install, dh_dkms -V) and the Debian packages' version
 * (debian/rules checks debian/changelog against it) all come from it.
 */
#ifndef WGMESH_VERSION_H
#define WGMESH_VERSION_H

#define WGMESH_VERSION "0.1"

#endif /* WGMESH_VERSION_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A text as a QR code on a terminal (libqrencode), the way the WireGuard
 * mobile apps scan a configuration: 8-bit mode, error correction level L
 * (the most room: 2953 bytes), a quiet zone of 4 modules, two rows of
 * modules per line of half blocks, drawn white on black with ANSI colours
 * (as "qrencode -t ansiutf8") so that it reads the same on light and dark
 * terminals.
 */
#ifndef WGMESH_QR_H
#define WGMESH_QR_H

#include <stdio.h>

#define QR_MARGIN 4

/*
 * Write @text as a QR code to @f. 0, or -1 with one line in @err (too long
 * for a QR code, out of memory).
 */
int qr_write(FILE *f, const char *text, char *err, size_t errlen);

#endif /* WGMESH_QR_H */

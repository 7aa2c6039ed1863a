// SPDX-License-Identifier: GPL-2.0
/* A text as a terminal QR code, see qr.h. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <qrencode.h>

#include "qr.h"

/* Is module (x, y) of @q dark? Outside the symbol: the quiet zone. */
static bool dark(const QRcode *q, int x, int y)
{
	x -= QR_MARGIN;
	y -= QR_MARGIN;
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return false;
	return q->data[y * q->width + x] & 1;
}

int qr_write(FILE *f, const char *text, char *err, size_t errlen)
{
	/* Light modules are drawn (white), dark ones are the background. */
	static const char *const glyph[4] = {
		[0] = "\u2588",	/* both light: full block */
		[1] = "\u2580",	/* bottom dark: upper half */
		[2] = "\u2584",	/* top dark: lower half */
		[3] = " ",	/* both dark */
	};
	QRcode *q;
	int size;

	errno = 0;
	q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_L);
	if (!q && errno == ERANGE) {
		snprintf(err, errlen, "%zu bytes are too many for a QR code "
			 "(at most 2953)", strlen(text));
		return -1;
	}
	if (!q) {
		snprintf(err, errlen, "QR encoding failed: %s",
			 strerror(errno ? errno : ENOMEM));
		return -1;
	}
	size = q->width + 2 * QR_MARGIN;
	for (int y = 0; y < size; y += 2) {
		fputs("\033[40;37;1m", f);
		for (int x = 0; x < size; x++)
			fputs(glyph[dark(q, x, y) * 2 + dark(q, x, y + 1)], f);
		fputs("\033[0m\n", f);
	}
	QRcode_free(q);
	if (ferror(f)) {
		snprintf(err, errlen, "writing the QR code failed");
		return -1;
	}
	return 0;
}

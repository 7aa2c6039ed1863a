// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of lib/qr.c: the terminal rendering read back module by
 * module is exactly libqrencode's symbol with its quiet zone, and a text
 * too long for a QR code is refused with one line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "lib/qr.h"
#include "ktap.h"

/* Parse @text back: rows of modules (1 dark), returns the row count. */
static int parse(const char *text, unsigned char m[][256], int *width)
{
	int rows = 0;

	*width = -1;
	for (const char *l = text; *l; rows += 2) {
		const char *end = strchr(l, '\n');
		int x = 0;

		if (strncmp(l, "\033[40;37;1m", 10))
			return -1;
		for (l += 10; l < end && *l != '\033'; x++) {
			int top, bottom;

			if (!strncmp(l, "\u2588", 3))
				top = 0, bottom = 0, l += 3;
			else if (!strncmp(l, "\u2580", 3))
				top = 0, bottom = 1, l += 3;
			else if (!strncmp(l, "\u2584", 3))
				top = 1, bottom = 0, l += 3;
			else if (*l == ' ')
				top = 1, bottom = 1, l++;
			else
				return -1;
			m[rows][x] = top;
			m[rows + 1][x] = bottom;
		}
		if (strncmp(l, "\033[0m\n", 5) || (*width >= 0 && x != *width))
			return -1;
		*width = x;
		l = end + 1;
	}
	return rows;
}

int main(void)
{
	static unsigned char m[260][256];
	const char *cfg = "[Interface]\nPrivateKey = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
			  "Address = fd51:19c1:e:fb00:6987:50a0:9b93:4337/56\n";
	char *text = NULL, err[256] = "", *big;
	size_t len = 0;
	int rows, width, bad = 0;
	FILE *f = open_memstream(&text, &len);
	QRcode *q = QRcode_encodeString8bit(cfg, 0, QR_ECLEVEL_L);

	ktap_plan(5);
	ktap_ok(f && q && !qr_write(f, cfg, err, sizeof(err)) && !fclose(f),
		"a configuration renders");
	rows = parse(text, m, &width);
	ktap_ok(rows > 0 && width == q->width + 2 * QR_MARGIN &&
		rows >= width && rows <= width + 1,
		"whole lines of half blocks, %d modules wide", width);
	for (int y = 0; rows > 0 && y < width; y++)
		for (int x = 0; x < width; x++) {
			int sx = x - QR_MARGIN, sy = y - QR_MARGIN;
			int want = sx >= 0 && sy >= 0 && sx < q->width &&
				   sy < q->width ?
				   q->data[sy * q->width + sx] & 1 : 0;

			bad += m[y][x] != want;
		}
	ktap_ok(rows > 0 && !bad, "every module is libqrencode's, quiet zone "
		"of %d light (%d wrong)", QR_MARGIN, bad);
	big = malloc(4000);
	memset(big, 'x', 3999);
	big[3999] = '\0';
	free(text);
	text = NULL;
	f = open_memstream(&text, &len);
	ktap_ok(qr_write(f, big, err, sizeof(err)) == -1 &&
		strstr(err, "3999 bytes are too many for a QR code"),
		"too long: refused, naming the size");
	fclose(f);
	ktap_ok(len == 0, "nothing written when refused");
	free(big);
	free(text);
	QRcode_free(q);
	return ktap_finish();
}

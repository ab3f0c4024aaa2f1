/* qr.c — QR codes rendered as compact SVG.  See qr.h.
 *
 * libqrencode builds the symbol (error correction M, 8-bit data, case kept); each row's
 * runs of dark modules become one "M x y h n v1 h-n z" rectangle of a single <path>, in
 * a viewBox counted in modules that includes the 4-module quiet zone.  A caption adds a
 * band under the code (the viewBox grows taller, and so does the height in pixels, so
 * the code itself stays size_px square).  Numbers are written with integer arithmetic
 * in hundredths, never with printf("%f"), whose decimal point follows the locale. */
#include "core/qr.h"

#include <qrencode.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/utf8.h"

enum {
	QR_QUIET = 4,        /* modules of white around the code */
	QR_MAX_PX = 1 << 16, /* larger sizes are refused */
	QR_MIN_FONT = 200,   /* caption font size, at least (hundredths of a module) */
	QR_SMALL_FONT = 120, /* a long caption shrinks down to this, then is squeezed */
};

/* Appends v hundredths as a decimal ("14.5", "30.42", "29"). v >= 0. */
static void qr_put_hund(buf *b, long v)
{
	if (v % 100 == 0)
		buf_printf(b, "%ld", v / 100);
	else if (v % 10 == 0)
		buf_printf(b, "%ld.%ld", v / 100, (v % 100) / 10);
	else
		buf_printf(b, "%ld.%02ld", v / 100, v % 100);
}

/* Length of the UTF-8 sequence announced by lead byte c (1 for a stray byte). */
static size_t qr_seq_len(unsigned char c)
{
	if (c >= 0xF0)
		return 4;
	if (c >= 0xE0)
		return 3;
	if (c >= 0xC0)
		return 2;
	return 1;
}

/*
 * Appends the caption XML-escaped (& < > " '), with control characters (not allowed
 * in XML 1.0) as spaces and invalid UTF-8 or U+FFFE/U+FFFF as U+FFFD.  Returns the
 * estimated width of the text in hundredths of an em (0.6 em for ASCII, 1 em else).
 */
static long qr_put_caption(buf *b, const char *caption)
{
	const unsigned char *s = (const unsigned char *)caption;
	size_t n = strlen(caption);
	long ems = 0;

	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c < 0x80) {
			switch (c) {
			case '&':
				buf_puts(b, "&amp;");
				break;
			case '<':
				buf_puts(b, "&lt;");
				break;
			case '>':
				buf_puts(b, "&gt;");
				break;
			case '"':
				buf_puts(b, "&quot;");
				break;
			case '\'':
				buf_puts(b, "&apos;");
				break;
			default:
				buf_putc(b, (c < 0x20 || c == 0x7F) ? ' ' : (char)c);
				break;
			}
			ems += 60;
			i++;
			continue;
		}
		size_t l = qr_seq_len(c);
		if (!(i + l <= n && l > 1 && utf8_valid((const char *)s + i, l))) {
			buf_puts(b, "\xEF\xBF\xBD"); /* one replacement per bad byte */
			l = 1;
		} else if (l == 3 && c == 0xEF && s[i + 1] == 0xBF &&
		           (s[i + 2] == 0xBE || s[i + 2] == 0xBF)) {
			buf_puts(b, "\xEF\xBF\xBD"); /* U+FFFE, U+FFFF */
		} else if (l == 2 && c == 0xC2 && s[i + 1] < 0xA0) {
			buf_putc(b, ' '); /* C1 controls */
		} else {
			buf_put(b, s + i, l);
		}
		ems += 100;
		i += l;
	}
	return ems;
}

/*
 * The SVG document: a white background, one path of dark modules, and the optional
 * caption centred in a band below the code.  A caption whose estimated width does not
 * fit between the quiet zones gets smaller type, and below QR_SMALL_FONT is squeezed
 * with textLength as well.
 */
char *qr_svg(const char *text, int size_px, const char *caption)
{
	if (!text || !*text || size_px <= 0 || size_px > QR_MAX_PX)
		return NULL;
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return NULL;

	long w = q->width + 2 * QR_QUIET; /* modules */
	long avail = (w - 2) * 100;       /* caption width, hundredths of a module */
	long vh = w * 100;                /* viewBox height, hundredths */
	long font = 0, base = 0;
	bool cap = caption && *caption, squeeze = false;
	buf t;
	buf_init(&t, NULL);
	if (cap) {
		long ems = qr_put_caption(&t, caption);
		font = w * 100 / 12;
		if (font < QR_MIN_FONT)
			font = QR_MIN_FONT;
		if (ems > 0 && ems * font / 100 > avail) {
			/* smaller type first (not every renderer honours textLength) */
			font = avail * 100 / ems;
			if (font < QR_SMALL_FONT) {
				font = QR_SMALL_FONT;
				squeeze = true;
			}
		}
		base = w * 100 - 100 + font; /* the baseline sits in the lower quiet zone */
		vh = base + font * 4 / 10 + 100;
	}
	long height = (size_px * vh + w * 50) / (w * 100);

	buf b;
	buf_init(&b, NULL);
	buf_printf(&b,
	           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%ld\" viewBox=\"0 0 %ld ",
	           size_px, height, w);
	qr_put_hund(&b, vh);
	buf_puts(&b, "\" shape-rendering=\"crispEdges\">");
	buf_puts(&b, "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"");
	for (int y = 0; y < q->width; y++) {
		const unsigned char *row = q->data + (size_t)y * (size_t)q->width;
		for (int x = 0; x < q->width;) {
			if (!(row[x] & 1)) {
				x++;
				continue;
			}
			int x0 = x;
			while (x < q->width && (row[x] & 1))
				x++;
			buf_printf(&b, "M%d %dh%dv1h-%dz", x0 + QR_QUIET, y + QR_QUIET, x - x0, x - x0);
		}
	}
	buf_puts(&b, "\"/>");
	QRcode_free(q);

	if (cap) {
		buf_puts(&b, "<text x=\"");
		qr_put_hund(&b, w * 50);
		buf_puts(&b, "\" y=\"");
		qr_put_hund(&b, base);
		buf_puts(&b, "\" font-size=\"");
		qr_put_hund(&b, font);
		buf_puts(&b, "\" font-family=\"sans-serif\" text-anchor=\"middle\" fill=\"#000\"");
		if (squeeze) {
			buf_puts(&b, " textLength=\"");
			qr_put_hund(&b, avail);
			buf_puts(&b, "\" lengthAdjust=\"spacingAndGlyphs\"");
		}
		buf_putc(&b, '>');
		buf_put(&b, t.p, t.len);
		buf_puts(&b, "</text>");
	}
	buf_release(&t);
	buf_puts(&b, "</svg>\n");
	return b.p;
}

bool qr_base_local(const char *base)
{
	const char *h = strstr(base, "://");
	h = h ? h + 3 : base;
	return !strncmp(h, "127.", 4) || !strncmp(h, "localhost", 9) || !strncmp(h, "[::1]", 5) || !strncmp(h, "0.0.0.0", 7);
}

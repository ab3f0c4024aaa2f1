/* qr.h — QR codes (libqrencode) rendered as SVG, for printable household link sheets. */
#ifndef WG_QR_H
#define WG_QR_H
#include <stdbool.h>
#include <stddef.h>

/* An SVG document (malloc'd, caller frees) of the QR code for text, error correction M,
 * with a 4-module quiet zone, scaled to size_px square, black on white; NULL on failure.
 * When caption is not NULL it is written (XML-escaped) under the code. */
char *qr_svg(const char *text, int size_px, const char *caption);

/* Whether a base URL is one only this computer opens (loopback: http://127.0.0.1:8080,
 * http://localhost…, 0.0.0.0): a QR code of it, printed and posted, opens nothing on a
 * resident's phone. */
bool qr_base_local(const char *base);
#endif

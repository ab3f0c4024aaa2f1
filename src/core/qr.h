/* qr.h — QR codes (libqrencode) rendered as SVG, for printable household link sheets. */
#ifndef WG_QR_H
#define WG_QR_H
#include <stddef.h>

/* An SVG document (malloc'd, caller frees) of the QR code for text, error correction M,
 * with a 4-module quiet zone, scaled to size_px square, black on white; NULL on failure.
 * When caption is not NULL it is written (XML-escaped) under the code. */
char *qr_svg(const char *text, int size_px, const char *caption);
#endif

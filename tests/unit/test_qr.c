/* test_qr.c — QR codes as SVG: the document is well formed, the path draws exactly the
 * modules libqrencode computed (with the quiet zone), captions are escaped, and bad
 * arguments give NULL. */
#include <qrencode.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/qr.h"
#include "core/utf8.h"

/*
 * A small structural check: tags nest and close, attribute values are quoted, and
 * character data has no raw '<' and only the five XML entities after '&'.
 */
static void assert_well_formed(const char *s)
{
	char stack[16][16];
	int depth = 0, roots = 0;

	assert_true(utf8_valid(s, strlen(s)));
	while (*s) {
		if (*s == '&') {
			const char *ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
			bool ok = false;
			for (size_t i = 0; i < 5; i++)
				ok |= !strncmp(s, ents[i], strlen(ents[i]));
			assert_true(ok);
			s++;
			continue;
		}
		if (*s != '<') {
			assert_true(depth > 0 || *s == '\n');
			assert_true((unsigned char)*s >= 0x20 || *s == '\n');
			s++;
			continue;
		}
		bool closing = s[1] == '/';
		s += closing ? 2 : 1;
		char name[16];
		size_t n = 0;
		while ((*s >= 'a' && *s <= 'z') && n + 1 < sizeof name)
			name[n++] = *s++;
		name[n] = '\0';
		assert_true(n > 0);
		bool self = false;
		while (*s && *s != '>') {
			if (*s == '"') {
				s++;
				while (*s && *s != '"') {
					assert_true(*s != '<');
					s++;
				}
				assert_int_equal(*s, '"');
			} else if (*s == '/' && s[1] == '>') {
				self = true;
			} else if (*s == '=') {
				assert_int_equal(s[1], '"');
			}
			s++;
		}
		assert_int_equal(*s, '>');
		s++;
		if (closing) {
			assert_true(depth > 0);
			assert_string_equal(stack[depth - 1], name);
			depth--;
		} else if (!self) {
			assert_true(depth < 16);
			if (depth == 0)
				roots++;
			strcpy(stack[depth++], name);
		}
	}
	assert_int_equal(depth, 0);
	assert_int_equal(roots, 1);
}

/* The integer value of attribute name="…" in the first tag that has it. */
static long attr_long(const char *svg, const char *name)
{
	char pat[32];
	snprintf(pat, sizeof pat, " %s=\"", name);
	const char *p = strstr(svg, pat);
	assert_non_null(p);
	return strtol(p + strlen(pat), NULL, 10);
}

/* The d attribute of the only path. */
static const char *path_d(const char *svg, size_t *len)
{
	const char *p = strstr(svg, "<path");
	assert_non_null(p);
	assert_null(strstr(p + 1, "<path"));
	p = strstr(p, " d=\"");
	assert_non_null(p);
	p += 4;
	*len = (size_t)(strchr(p, '"') - p);
	return p;
}

/*
 * Redraws the path ("MxyhNv1h-Nz" per run) into a w×w grid and compares it with what
 * libqrencode computes for the same text: same modules, quiet zone empty, no overlap.
 */
static void assert_draws(const char *svg, const char *text)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	assert_non_null(q);
	int w = q->width + 8;
	unsigned char *grid = calloc((size_t)w * (size_t)w, 1);
	assert_non_null(grid);
	size_t len;
	const char *d = path_d(svg, &len), *end = d + len;
	while (d < end) {
		int x, y, n, n2, used = 0;
		assert_int_equal(sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &n2, &used), 4);
		assert_true(used > 0);
		assert_int_equal(n, n2);
		assert_true(x >= 4 && y >= 4 && n >= 1 && x + n <= w - 4 && y < w - 4);
		for (int i = 0; i < n; i++) {
			assert_int_equal(grid[y * w + x + i], 0);
			grid[y * w + x + i] = 1;
		}
		d += used;
	}
	for (int y = 0; y < w; y++)
		for (int x = 0; x < w; x++) {
			bool dark = y >= 4 && y < w - 4 && x >= 4 && x < w - 4 &&
			            (q->data[(y - 4) * q->width + (x - 4)] & 1);
			assert_int_equal(grid[y * w + x], dark);
		}
	free(grid);
	QRcode_free(q);
}

static void test_basic(void **state)
{
	(void)state;
	const char *url = "https://wangge.example/h/3-1504?t=Ab9xK";
	char *s = qr_svg(url, 200, NULL);
	assert_non_null(s);
	assert_true(!strncmp(s, "<svg", 4));
	assert_non_null(strstr(s, "xmlns=\"http://www.w3.org/2000/svg\""));
	assert_non_null(strstr(s, "shape-rendering=\"crispEdges\""));
	assert_int_equal(attr_long(s, "width"), 200);
	assert_int_equal(attr_long(s, "height"), 200);
	assert_null(strstr(s, "<text"));
	assert_true(!strcmp(s + strlen(s) - 7, "</svg>\n"));
	assert_well_formed(s);

	QRcode *q = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	char vb[64];
	snprintf(vb, sizeof vb, "viewBox=\"0 0 %d %d\"", q->width + 8, q->width + 8);
	assert_non_null(strstr(s, vb));
	/* the top-left finder starts at the quiet zone: a run of 7 */
	assert_true(!strncmp(strstr(s, " d=\"") + 4, "M4 4h7v1h-7z", 12));
	char tr[32];
	snprintf(tr, sizeof tr, "M%d 4h7v1h-7z", q->width + 4 - 7);
	assert_non_null(strstr(s, tr));
	QRcode_free(q);
	assert_draws(s, url);

	/* deterministic */
	char *again = qr_svg(url, 200, NULL);
	assert_string_equal(s, again);
	free(again);
	free(s);
}

static void test_texts_differ(void **state)
{
	(void)state;
	const char *texts[] = {"a",
	                       "A",
	                       "b",
	                       "https://wangge.example/h/1",
	                       "https://wangge.example/h/2",
	                       "梁秀琴 3栋1504",
	                       "0123456789"};
	char *svg[7];
	for (size_t i = 0; i < 7; i++) {
		svg[i] = qr_svg(texts[i], 120, NULL);
		assert_non_null(svg[i]);
		assert_well_formed(svg[i]);
		assert_draws(svg[i], texts[i]);
	}
	for (size_t i = 0; i < 7; i++)
		for (size_t j = i + 1; j < 7; j++) {
			size_t li, lj;
			const char *di = path_d(svg[i], &li), *dj = path_d(svg[j], &lj);
			assert_false(li == lj && !memcmp(di, dj, li));
		}
	for (size_t i = 0; i < 7; i++)
		free(svg[i]);

	/* a long text makes a larger symbol */
	char big[1500];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	char *s = qr_svg(big, 400, NULL);
	assert_non_null(s);
	assert_well_formed(s);
	assert_draws(s, big);
	free(s);
}

static void test_caption(void **state)
{
	(void)state;
	const char *cap = "3栋1504 <王梅> & \"李\" 'x'";
	char *s = qr_svg("https://wangge.example/h/9", 300, cap);
	assert_non_null(s);
	assert_well_formed(s);
	assert_non_null(strstr(s, ">3栋1504 &lt;王梅&gt; &amp; &quot;李&quot; &apos;x&apos;</text>"));
	assert_null(strstr(s, "<王梅"));
	assert_int_equal(attr_long(s, "width"), 300);
	assert_true(attr_long(s, "height") > 300);
	assert_draws(s, "https://wangge.example/h/9");

	/* the viewBox is taller than wide */
	const char *vb = strstr(s, "viewBox=\"0 0 ");
	assert_non_null(vb);
	char *e;
	long w = strtol(vb + 13, &e, 10);
	double h = strtod(e, NULL);
	assert_true(h > (double)w + 2);
	/* the caption sits under the code */
	const char *y = strstr(s, "<text x=\"");
	assert_non_null(y);
	assert_true(strtod(strstr(y, " y=\"") + 4, NULL) > (double)w - 4);
	free(s);

	/* controls and invalid UTF-8 do not reach the document */
	s = qr_svg("x", 100, "a\x01\tb\xff\xc3(\xef\xbf\xbf\xc2\x85z");
	assert_non_null(s);
	assert_well_formed(s);
	assert_non_null(strstr(s, ">a  b\xEF\xBF\xBD\xEF\xBF\xBD(\xEF\xBF\xBD z</text>"));
	free(s);

	/* a long caption is squeezed to the width */
	s = qr_svg("x", 100, "江岸区百步亭社区第二网格三栋一单元一五零四室梁秀琴");
	assert_non_null(s);
	assert_well_formed(s);
	assert_non_null(strstr(s, "lengthAdjust=\"spacingAndGlyphs\""));
	free(s);

	/* a medium one gets smaller type */
	s = qr_svg("x", 100, "第二网格三栋一单元一五零四室");
	assert_non_null(s);
	assert_null(strstr(s, "textLength"));
	assert_true(strtod(strstr(s, "font-size=\"") + 11, NULL) < 2.4);
	free(s);

	/* a short one is not; an empty caption is no caption */
	s = qr_svg("x", 100, "1504");
	assert_null(strstr(s, "textLength"));
	free(s);
	s = qr_svg("x", 100, "");
	assert_null(strstr(s, "<text"));
	assert_int_equal(attr_long(s, "height"), 100);
	free(s);
}

static void test_bad_args(void **state)
{
	(void)state;
	assert_null(qr_svg(NULL, 200, NULL));
	assert_null(qr_svg(NULL, 200, "cap"));
	assert_null(qr_svg("", 200, NULL));
	assert_null(qr_svg("x", 0, NULL));
	assert_null(qr_svg("x", -5, NULL));
	assert_null(qr_svg("x", 1 << 20, NULL));

	/* more than a version-40 M symbol holds (2331 bytes) */
	char *big = malloc(4000);
	assert_non_null(big);
	memset(big, 'x', 3999);
	big[3999] = '\0';
	assert_null(qr_svg(big, 200, NULL));
	free(big);

	char *s = qr_svg("x", 1, NULL);
	assert_non_null(s);
	free(s);
}

/*
 * When rsvg-convert and zbarimg are installed, the rendered SVG must scan back to the
 * text (skipped otherwise: neither is a build dependency).
 */
static void test_decode(void **state)
{
	(void)state;
	if (system("command -v rsvg-convert >/dev/null 2>&1 && command -v zbarimg >/dev/null 2>&1") != 0) {
		skip();
		return;
	}
	const char *texts[] = {"https://wangge.example/h/3-1504?t=Ab9xK", "梁秀琴 3栋1504", "MiXeD case 123"};
	char dir[] = "/tmp/wg_qr_XXXXXX";
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		char *svg = qr_svg(texts[i], 240, "3栋1504 <&>");
		assert_non_null(svg);
		char path[64], cmd[256], got[256] = "";
		snprintf(path, sizeof path, "%s/q.svg", dir);
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(svg, f);
		fclose(f);
		free(svg);
		snprintf(
		    cmd, sizeof cmd,
		    "rsvg-convert -b white -o %s/q.png %s/q.svg && zbarimg -q --raw %s/q.png 2>/dev/null",
		    dir, dir, dir);
		FILE *p = popen(cmd, "r");
		assert_non_null(p);
		size_t n = fread(got, 1, sizeof got - 1, p);
		pclose(p);
		got[n] = '\0';
		while (n && got[n - 1] == '\n')
			got[--n] = '\0';
		assert_string_equal(got, texts[i]);
	}
	char cmd[96];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic),   cmocka_unit_test(test_texts_differ),
	    cmocka_unit_test(test_caption), cmocka_unit_test(test_bad_args),
	    cmocka_unit_test(test_decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

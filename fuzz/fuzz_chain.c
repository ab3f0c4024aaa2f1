/* fuzz_chain.c — the 接龙 parser on arbitrary bytes.
 * Checks, beyond memory safety: failure leaves no result; line numbers start at 1 and
 * strictly increase; every string is NUL-terminated inside its field and valid UTF-8;
 * building and entrance are digits, the room digits with at most a trailing capital;
 * counts and readings stay in range; problem is set exactly when there is no room. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/chain.h"
#include "core/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated, valid UTF-8 string within cap bytes. */
static void fz_str(const char *s, size_t cap)
{
	const char *z = memchr(s, '\0', cap);
	if (!z || !utf8_valid(s, (size_t)(z - s)))
		abort();
}

/* Digits only (at most max), optionally one trailing capital letter. */
static void fz_num(const char *s, size_t cap, size_t max, bool letter)
{
	fz_str(s, cap);
	size_t n = strlen(s), i = 0;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i < n && letter && i > 0 && s[i] >= 'A' && s[i] <= 'Z' && i + 1 == n)
		i++;
	if (i != n || i > max + (letter ? 1 : 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	chain_line *l = (chain_line *)&size;
	size_t n = 12345;

	if (chain_parse((const char *)data, size, &l, &n) != 0) {
		if (l || n)
			abort();
		return 0;
	}
	if ((n == 0) != (l == NULL) || n > CHAIN_MAX_LINES)
		abort();
	size_t last = 0;
	for (size_t i = 0; i < n; i++) {
		const chain_line *c = &l[i];
		if (c->line < 1 || c->line <= last || c->line > size + 1)
			abort();
		last = c->line;
		fz_str(c->text, sizeof c->text);
		if (!c->text[0])
			abort(); /* blank lines are skipped */
		fz_num(c->building, sizeof c->building, 3, false);
		fz_num(c->entrance, sizeof c->entrance, 2, false);
		fz_num(c->room, sizeof c->room, 5, true);
		if ((c->problem == NULL) != (c->room[0] != '\0'))
			abort();
		if (c->problem)
			fz_str(c->problem, 256);
		if (c->people != -1 && (c->people < 1 || c->people > 99))
			abort();
		if (c->ntemps < 0 || c->ntemps > CHAIN_MAX_TEMPS)
			abort();
		for (int t = 0; t < c->ntemps; t++)
			if (!(c->temps[t] >= 34.0 && c->temps[t] <= 43.0))
				abort();
		if (c->nnames < 0 || c->nnames > CHAIN_MAX_NAMES)
			abort();
		for (int k = 0; k < c->nnames; k++) {
			fz_str(c->names[k], sizeof c->names[k]);
			size_t cps = utf8_len(c->names[k]);
			if (cps < 2 || cps > 4)
				abort();
		}
		if (c->symptoms & ~0xFFu)
			abort();
		if (c->all_normal && c->symptoms)
			abort();
	}
	free(l);
	return 0;
}

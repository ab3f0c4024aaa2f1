/* fuzz_phone.c — phone normalisation and masking on arbitrary strings.  Checks that the
 * normalised form is itself accepted and normalises to itself, that it has one of the
 * documented shapes, and that masking stays within strlen(in)+1 bytes. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ident.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* digits only (mobile 11, local 7-8), or 0AA(A)-NNNNNNN(N) */
static bool fz_shape_ok(const char *s)
{
	size_t n = strlen(s), digits = 0, dashes = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '-')
			dashes++;
		else
			return false;
	}
	if (dashes == 0)
		return (n == 11 && s[0] == '1') || ((n == 7 || n == 8) && s[0] != '0');
	const char *d = strchr(s, '-');
	size_t area = (size_t)(d - s);
	return dashes == 1 && s[0] == '0' && (area == 3 || area == 4) &&
	       (n - area - 1 == 7 || n - area - 1 == 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	size_t len = strlen(s);

	char out[32], again[32];
	if (phone_normalize(s, out, sizeof out)) {
		if (!fz_shape_ok(out))
			abort();
		if (!phone_normalize(out, again, sizeof again) || strcmp(out, again))
			abort();
		/* the exact capacity is enough, one byte less is refused */
		size_t n = strlen(out);
		char *exact = malloc(n + 1);
		if (!phone_normalize(s, exact, n + 1) || strcmp(exact, out))
			abort();
		if (phone_normalize(s, exact, n))
			abort();
		free(exact);
	}

	char *m = malloc(len + 1);
	mask_phone(s, m);
	if (strlen(m) > len)
		abort();
	free(m);
	free(s);
	return 0;
}

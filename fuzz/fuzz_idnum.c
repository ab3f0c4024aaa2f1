/* fuzz_idnum.c — ID number validation, document numbers and ID masking on arbitrary
 * strings.  Checks that a number reported valid is consistent (check character, birth
 * date, sex) and that masking never writes more than strlen(in)+1 bytes. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ident.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	size_t len = strlen(s);

	char birth[11];
	memset(birth, 0, sizeof birth);
	id_result r = id_validate(s, birth);
	if (!id_result_message(r))
		abort();
	if (r == ID_OK) {
		char last = s[17] == 'x' ? 'X' : s[17];
		if (len != 18 || id_check_char(s) != last)
			abort();
		if (strlen(birth) != 10 || birth[4] != '-' || birth[7] != '-' ||
		    memcmp(birth, s + 6, 4) || memcmp(birth + 5, s + 10, 2) ||
		    memcmp(birth + 8, s + 12, 2))
			abort();
		char sex = id_sex(s);
		if (sex != 'M' && sex != 'F')
			abort();
	}
	char c = id_check_char(s);
	if (c && !((c >= '0' && c <= '9') || c == 'X'))
		abort();
	(void)id_sex(s);

	/* exact-size output buffer: ASan reports any overflow */
	char *out = malloc(len + 1);
	mask_id(s, out);
	if (strlen(out) > len)
		abort();
	if (r == ID_OK && (strlen(out) != 18 || memcmp(out, s, 6) || memcmp(out + 14, s + 14, 4) ||
	                   memcmp(out + 6, "********", 8)))
		abort();
	free(out);

	bool ok = doc_number_valid(s);
	if (ok) {
		size_t n = strlen(s);
		if (n < 5 || n > 20)
			abort();
		for (size_t i = 0; i < n; i++)
			if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
				abort();
	}
	free(s);
	return 0;
}

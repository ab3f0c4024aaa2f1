/* fuzz_sniff.c — files_sniff (domain/files.c), which decides what an uploaded file is from
 * its bytes (JPEG marker segments, PNG chunks, a PDF's header and end), on arbitrary bytes.
 * Checks, beyond memory safety (it must read only data[0..size)): the answer is one of the
 * three allowed types or NULL; an image has a size, a PDF none; the answer does not change
 * when the input is copied to a buffer of exactly its size (no reads past the end). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	unsigned w = 7, h = 7;
	const char *t = files_sniff(copy, size, &w, &h);
	if (t) {
		if (!strcmp(t, "application/pdf")) {
			if (w || h)
				abort();
		} else if (strcmp(t, "image/jpeg") != 0 && strcmp(t, "image/png") != 0) {
			abort();
		} else if (!w || !h) {
			abort();
		}
	} else if (w || h) {
		abort();
	}
	free(copy);
	return 0;
}

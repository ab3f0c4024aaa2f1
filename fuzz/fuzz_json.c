/* fuzz_json.c — the strict request-body parser and the field getters on whatever parses. */
#include <stdint.h>
#include <stddef.h>

#include "core/jv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = NULL;
	if (jv_parse((const char *)data, size, &j) != WG_OK)
		return 0;
	static const char *const allowed[] = {"name", "room", "n", NULL};
	const char *s;
	int64_t n;
	bool b, present;
	jv_only(j, allowed);
	jv_str(j, "name", false, 50, &s);
	jv_int(j, "n", false, -5, 5, &n, &present);
	jv_bool(j, "b", &b, &present);
	json_decref(j);
	return 0;
}

/* jv.h — strict JSON in, for request bodies (jansson underneath).
 * Every getter validates type, range and text (UTF-8 is checked by jansson; control
 * characters and over-long strings are refused here) and fails with W_EINVAL naming the
 * field, so handlers never validate by hand.  Returned strings belong to the json_t. */
#ifndef WG_JV_H
#define WG_JV_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

enum { JV_MAX_DEPTH = 16 };

/* Parse a request body: must be one JSON object, nesting <= JV_MAX_DEPTH, no duplicate
 * keys, no NUL.  The caller owns *out (json_decref). */
werr jv_parse(const char *body, size_t len, json_t **out);
/* Refuse any key of o not in allowed (NULL-terminated): code "unknown_field". */
werr jv_only(json_t *o, const char *const *allowed);
/* String field of at most maxchars code points.  Absent or null → *out = NULL and, when
 * required, code "required".  Empty strings count as absent when required. */
werr jv_str(json_t *o, const char *key, bool required, size_t maxchars, const char **out);
/* Integer field within [min,max]; *present (may be NULL) tells whether it was given. */
werr jv_int(json_t *o, const char *key, bool required, int64_t min, int64_t max, int64_t *out,
            bool *present);
werr jv_bool(json_t *o, const char *key, bool *out, bool *present);
/* Helpers to build answers: jansson's json_string for possibly-NULL text. */
json_t *jv_text(const char *s);
/* A page of a list: {items, total, limit, offset} (takes items). */
json_t *jv_page(json_t *items, int64_t total, int64_t limit, int64_t offset);
#endif

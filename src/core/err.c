/* err.c — error detail and the error → HTTP status table. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
	int status;
	const char *code;
} err_table[W__COUNT] = {
    [WG_OK] = {200, "ok"},
    [W_EINVAL] = {400, "invalid"},
    [W_EBADJSON] = {400, "bad_json"},
    [W_EUNAUTH] = {401, "unauthenticated"},
    [W_EFORBIDDEN] = {403, "forbidden"},
    [W_ENOTFOUND] = {404, "not_found"},
    [W_EMETHOD] = {405, "method_not_allowed"},
    [W_ECONFLICT] = {409, "conflict"},
    [W_ETOOBIG] = {413, "too_large"},
    [W_EMEDIA] = {415, "unsupported_media_type"},
    [W_ELOCKED] = {423, "account_locked"},
    [W_ETOOMANY] = {429, "too_many_attempts"},
    [W_EBUSY] = {503, "busy"},
    [W_EDB] = {500, "store_error"},
    [W_EINTERNAL] = {500, "internal"},
};

static _Thread_local wdetail last;

void w_record(werr e, const char *code, const char *field, const char *fmt, ...)
{
	/* build the new detail aside: the arguments may point into the current one
	 * (re-raising an error with a more precise field) */
	wdetail d = {.err = e};
	snprintf(d.code, sizeof d.code, "%s", code ? code : w_default_code(e));
	snprintf(d.field, sizeof d.field, "%s", field ? field : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d.message, sizeof d.message, fmt, ap);
	va_end(ap);
	last = d;
}

const wdetail *w_last(void)
{
	return &last;
}

void w_clear(void)
{
	memset(&last, 0, sizeof last);
}

int w_http_status(werr e)
{
	return (e >= 0 && e < W__COUNT) ? err_table[e].status : 500;
}

const char *w_default_code(werr e)
{
	return (e >= 0 && e < W__COUNT) ? err_table[e].code : "internal";
}

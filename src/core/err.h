/* err.h — the one error path.
 * Every fallible function returns a werr.  The failing function records the detail
 * (a stable snake_case code, the offending field, a human message) with w_fail(); the
 * detail is thread-local, so the HTTP router and the CLI read it back with w_last() and
 * write the one error body / the one stderr line. */
#ifndef WG_ERR_H
#define WG_ERR_H

typedef enum {
	WG_OK = 0,
	W_EINVAL,     /* 400: a field is missing, of the wrong type or out of range */
	W_EBADJSON,   /* 400: body is not strict JSON */
	W_EUNAUTH,    /* 401: no or expired session; wrong username or password */
	W_EFORBIDDEN, /* 403: the role may not do this */
	W_ENOTFOUND,  /* 404: no such record, or outside the caller's subtree */
	W_EMETHOD,    /* 405 */
	W_ECONFLICT,  /* 409: duplicate code/username, stale state */
	W_ETOOBIG,    /* 413 */
	W_EMEDIA,     /* 415: wrong Content-Type */
	W_ELOCKED,    /* 423: account locked after repeated failures */
	W_ETOOMANY,   /* 429: too many attempts (guessing household links) */
	W_EBUSY,      /* 503: overloaded, retry later */
	W_EDB,        /* 500: the store failed */
	W_EINTERNAL,  /* 500 */
	W__COUNT
} werr;

typedef struct {
	werr err;
	char code[48];
	char field[64];
	char message[256];
} wdetail;

/* Record the detail of a failure and return e.  code may be NULL (the default code of e
 * is used), field may be NULL.  A macro so that the value is seen where it is used (by
 * the reader and by static analysis, which cannot see into err.c): e is evaluated twice,
 * and is always a constant or a variable. */
void w_record(werr e, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define w_fail(e, ...) (w_record((e), __VA_ARGS__), (werr)(e))
const wdetail *w_last(void);
void w_clear(void);
int w_http_status(werr e);
const char *w_default_code(werr e);
#endif

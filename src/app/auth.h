/* auth.h — who a request is: a session (bearer token or cookie), a household's link, or
 * nobody; then whether the route's roles admit them.  What the HTTP layer found in the
 * request is handed in as plain values, so this knows nothing of HTTP. */
#ifndef WG_AUTH_H
#define WG_AUTH_H
#include <stdbool.h>

#include "domain/actor.h"

typedef enum { AUTH_NONE, AUTH_SESSION, AUTH_LINK } auth_kind;

typedef struct {
	auth_kind auth;         /* the route's */
	unsigned roles;         /* the route's (R(ROLE_x) bits) */
	const char *pattern;    /* the route's, for the audit of a refusal */
	const char *token;      /* bearer token or session cookie (NULL: none) */
	bool cookie;            /* the token came from the cookie */
	bool changes;           /* not a GET or HEAD */
	const char *x_wangge;   /* the X-Wangge header (CSRF: the app's own) */
	const char *household;  /* the X-Household-Token header */
	const char *source;     /* the client's address */
} auth_in;

/* Fill *ac (and *link_household for a link) or fail: 401 without a valid session, 403 for
 * a cookie change without the app's header or a role the route does not admit (audited). */
werr app_authorise(db *d, arena *a, const auth_in *in, actor *ac, int64_t *link_household);
#endif

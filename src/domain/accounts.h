/* accounts.h — users bound to one unit, argon2id passwords, lockout, server-side sessions,
 * and reading the audit log. */
#ifndef WG_ACCOUNTS_H
#define WG_ACCOUNTS_H
#include <jansson.h>

#include "domain/actor.h"

enum {
	PASSWORD_MIN = 12,
	LOCK_FAILURES = 5,          /* per (name typed, client address) */
	LOCK_ACCOUNT_FAILURES = 50, /* per name, from every address together */
	LOCK_WINDOW_S = 15 * 60,
	LOCK_FOR_S = 15 * 60,
	SESSION_IDLE_S = 30 * 60,
	SESSION_MAX_S = 12 * 3600,
};

/* Log in: on success *token_out (arena, 64 hex chars = 256 random bits) and *user_out.
 * Unknown user and wrong password both answer W_EUNAUTH "invalid_credentials" after the
 * same argon2id work; a locked name answers W_ELOCKED: LOCK_FAILURES failures of a name
 * from one address lock it for that address, LOCK_ACCOUNT_FAILURES from all addresses
 * lock it everywhere (counted atomically, both stores; the lock is audited as `lockout`). */
werr acct_login(db *d, arena *a, const char *username, const char *password, const char *source,
                const char **token_out, json_t **user_out);
/* The same in two steps, for the server: check (reads and the argon2id work, no write)
 * on a thread of its own, finish (the writes) in the writer's transaction.  The plan's
 * strings and user row live in the arena given to check. */
typedef struct {
	const char *username, *source;
	int64_t now, count, acount, locked; /* the guard's places: for name+address, for the name */
	bool found, ok;
	const struct user_row *user;
} login_plan;
werr acct_login_check(db *d, arena *a, const char *username, const char *password, const char *source,
                      login_plan *p);
/* acct_login_check in its two parts, for a server whose writes all go through its writer:
 * the guard's reservation of the attempt (its only writes: a job of the writer's batch,
 * waited for), then the reads and the argon2id work (no write, on a hashing thread). */
werr acct_login_guard(db *d, arena *a, const char *username, const char *source, login_plan *p);
werr acct_login_verify(db *d, arena *a, const char *password, login_plan *p);
werr acct_login_finish(db *d, arena *a, const login_plan *p, const char **token_out, json_t **user_out);
/* A server writes sessions' last uses in the background (acct_touch_flush, every second or
 * so) instead of inside the request that reads them. */
void acct_touch_later(bool on);
werr acct_touch_flush(db *d);
/* The same in two steps, for the writer's batch (ticker.c): the last uses queued so far,
 * taken (NULL when there are none); written inside the caller's transaction (again, if a
 * batch runs again); freed. */
typedef struct acct_touches acct_touches;
acct_touches *acct_touch_take(void);
werr acct_touch_write(db *d, const acct_touches *t);
void acct_touch_free(acct_touches *t);
/* t written in a transaction of its own on d, then freed (NULL: nothing to write). */
werr acct_touch_commit(db *d, acct_touches *t);
/* Resolve a bearer token into an actor (idle/absolute expiry applied). W_EUNAUTH if not. */
/* After committing a change to users, sessions or the unit tree: sessions are looked up
 * again (acct_session keeps them a few seconds). */
void acct_cache_invalidate(void);
werr acct_session(db *d, arena *a, const char *token, const char *source, actor *out);
werr acct_logout(db *d, const char *token);
json_t *acct_me(const actor *ac);

/* Account administration within the actor's subtree. */
werr acct_add(const actor *ac, json_t *body, json_t **out);
werr acct_update(const actor *ac, const char *username, json_t *body, json_t **out);
werr acct_list(const actor *ac, const char *unit_code, int64_t limit, int64_t offset, json_t **out);
werr acct_passwd(const actor *ac, const char *username, const char *password);
werr acct_disable(const actor *ac, const char *username, bool disabled);

/* The audit log, newest first (auditor role, or the operator). */
werr audit_list(const actor *ac, int64_t since, const char *username, const char *entity,
                int64_t limit, int64_t offset, json_t **out);
#endif

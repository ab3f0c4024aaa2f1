/* accounts.c — see accounts.h. */
#include "domain/accounts.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ident.h"
#include "core/jv.h"
#include "core/utf8.h"
#include "core/util.h"
#include "domain/tree.h"

typedef struct user_row {
	int64_t id, unit_id, disabled, created_at;
	const char *username, *display_name, *phone, *role, *pw_hash, *lang, *unit_code, *unit_name, *path;
} user_row;

static void user_from(arena *a, db_stmt *s, user_row *u)
{
	u->id = db_int(s, 0);
	u->username = arena_strdup(a, db_text(s, 1));
	u->display_name = arena_strdup(a, db_text(s, 2));
	u->phone = arena_strdup(a, db_text(s, 3));
	u->role = arena_strdup(a, db_text(s, 4));
	u->unit_id = db_int(s, 5);
	u->pw_hash = arena_strdup(a, db_text(s, 6));
	u->disabled = db_int(s, 7);
	u->lang = arena_strdup(a, db_text(s, 8));
	u->created_at = db_int(s, 9);
	u->unit_code = arena_strdup(a, db_text(s, 10));
	u->unit_name = arena_strdup(a, db_text(s, 11));
	u->path = arena_strdup(a, db_text(s, 12));
}

static json_t *user_json(const user_row *u)
{
	return json_pack("{s:I,s:s,s:s,s:o,s:s,s:s,s:s,s:b,s:s}", "id", (json_int_t)u->id, "username",
	                 u->username, "display_name", u->display_name, "phone", jv_text(u->phone), "role",
	                 u->role, "unit_code", u->unit_code, "unit_name", u->unit_name, "disabled",
	                 u->disabled != 0, "lang", u->lang);
}

/* Load by username; rc DB_ROW when found, DB_DONE when not, -1 on a store error. */
static int user_load(db *d, arena *a, const char *username, user_row *u, werr *e)
{
	*u = (user_row){0};
	db_stmt *s = db_get(d, SQL_USER_BY_NAME);
	db_bind_text(s, 1, username);
	int rc = db_step(s, e);
	if (rc == DB_ROW)
		user_from(a, s, u);
	db_done(s);
	return rc;
}

static werr hash_password(const char *pw, char out[crypto_pwhash_STRBYTES])
{
	if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return w_fail(W_EBUSY, "busy", NULL, "out of memory while hashing the password");
	return WG_OK;
}

static werr password_valid(const char *pw)
{
	if (!pw || utf8_len(pw) < PASSWORD_MIN || strlen(pw) > 256 || !utf8_no_controls(pw))
		return w_fail(W_EINVAL, "weak_password", "password",
		              "密码至少 %d 个字符 / password: at least %d characters", PASSWORD_MIN, PASSWORD_MIN);
	return WG_OK;
}

/* The same argon2id work whether or not the user exists (timing must not tell). */
static char dummy[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void)
{
	char pw[33];
	random_hex(pw, 16);
	if (hash_password(pw, dummy) != WG_OK)
		dummy[0] = 0;
}

static bool verify(const char *hash, const char *pw)
{
	return hash && hash[0] && crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

/* ---- the login guard ----
 * Failures are counted per (name typed, client address), LOCK_FAILURES in LOCK_WINDOW_S
 * locking that pair for LOCK_FOR_S, and per name from every address ('*'), the much
 * higher LOCK_ACCOUNT_FAILURES locking the name everywhere — so a stranger typing a
 * colleague's name from elsewhere locks only himself out, and spreading guesses over
 * addresses still meets a limit.  An attempt reserves its place in both counts (one
 * atomic upsert each) *before* its password is checked: of any number of parallel
 * attempts only the first LOCK_FAILURES reach the check, and the one whose failure
 * fills the count starts the lock.  A success gives its places back. */
#define GUARD_ACCOUNT "*"

/* Reserve an attempt: *count is this attempt's place in the window; *locked_until > now
 * when the pair (or the name) is locked already. */
static werr guard_take(db *d, const char *username, const char *source, int64_t now, int64_t *count,
                       int64_t *locked_until)
{
	db_stmt *s = db_get(d, SQL_GUARD_TAKE);
	db_bind_text(s, 1, username);
	db_bind_text(s, 2, source);
	db_bind_int(s, 3, now);
	db_bind_int(s, 4, now - LOCK_WINDOW_S);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	*count = rc == DB_ROW ? db_int(s, 0) : 0;
	*locked_until = rc == DB_ROW ? db_int(s, 1) : 0;
	db_done(s);
	return rc == DB_ROW ? WG_OK : e ? e : w_fail(W_EINTERNAL, "store_error", NULL, "login guard: no row");
}

static void guard_run(db *d, int sql, const char *username, const char *source, int64_t v)
{
	db_stmt *s = db_get(d, sql);
	db_bind_text(s, 1, username);
	db_bind_text(s, 2, source);
	if (v)
		db_bind_int(s, 3, v);
	db_run(s, NULL);
}

/* Now and then, the counts whose window and lock are over. */
static void guard_expire(db *d, int64_t now)
{
	static _Atomic int64_t last;
	int64_t before = last;
	if (now - before < 60 || !atomic_compare_exchange_strong(&last, &before, now))
		return;
	db_stmt *s = db_get(d, SQL_GUARD_EXPIRE);
	db_bind_int(s, 1, now);
	db_bind_int(s, 2, now - LOCK_WINDOW_S);
	db_run(s, NULL);
}

/* The refusal of a locked name: the minutes left. */
static werr locked_error(int64_t locked_until, int64_t now)
{
	long long min = (long long)((locked_until - now + 59) / 60);
	if (min < 1 || min > LOCK_FOR_S / 60)
		min = LOCK_FOR_S / 60;
	return w_fail(W_ELOCKED, "account_locked", NULL,
	              "连续登录失败次数过多,账号已锁定,请 %lld 分钟后再试 / too many failed logins: locked, try again in %lld minutes",
	              min, min);
}

/* Whether the name typed may be shown (audit, log): not when it cannot be a username or
 * looks like a phone or ID number typed in the wrong box. */
static bool login_plausible(const char *username)
{
	bool plausible = username && *username && strlen(username) <= 32 && strspn(username, "0123456789X") != strlen(username);
	for (const char *c = username; plausible && *c; c++)
		plausible = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '.' || *c == '-';
	return plausible;
}

static werr login_audit(db *d, arena *a, const user_row *u, const char *username,
                        const char *source, const char *outcome)
{
	/* the name typed, so an auditor sees which account was tried */
	bool plausible = login_plausible(username);
	actor ac = {.d = d, .a = a, .user_id = u ? u->id : 0, .username = u || plausible ? username : "(not a username)",
	            .role = u ? role_parse(u->role) : ROLE_NONE, .source = source};
	return audit(&ac, "login", "session", 0, NULL, outcome);
}

/* The reads and the argon2id work of a login, on a hashing thread while the connection
 * waits, so the HTTP threads go on serving.  Its only writes are the guard's: the attempt
 * is reserved — counted atomically for the name from this address, then for the name
 * anywhere — before the password is checked, so parallel attempts cannot slip past the
 * limit (docs/SECURITY.md 18).  Everything else is written by acct_login_finish. */
werr acct_login_check(db *d, arena *a, const char *username, const char *password, const char *source,
                      login_plan *p)
{
	werr e = acct_login_guard(d, a, username, source, p);
	return e ? e : acct_login_verify(d, a, password, p);
}

werr acct_login_guard(db *d, arena *a, const char *username, const char *source, login_plan *p)
{
	int64_t now = now_s();
	if (!username || !*username || strlen(username) > 64 || !utf8_no_controls(username))
		username = "";
	if (!source || !*source)
		source = "?";
	*p = (login_plan){.now = now, .source = arena_strdup(a, source), .username = arena_strdup(a, username)};
	/* reserve this attempt for the name from this address, then for the name anywhere */
	int64_t count, locked, acount = 0, alocked = 0;
	werr e = guard_take(d, username, source, now, &count, &locked);
	if (e)
		return e;
	if (locked <= now && count <= LOCK_FAILURES) {
		if ((e = guard_take(d, username, GUARD_ACCOUNT, now, &acount, &alocked))) {
			guard_run(d, SQL_GUARD_UNDO, username, source, 0);
			return e;
		}
		if (alocked > now || acount > LOCK_ACCOUNT_FAILURES) {
			guard_run(d, SQL_GUARD_UNDO, username, source, 0); /* not checked: not counted here */
			locked = alocked > now ? alocked : now + LOCK_FOR_S;
		}
	} else if (locked <= now) {
		locked = now + LOCK_FOR_S; /* parallel attempts filled the count before its lock was set */
	}
	p->count = count;
	p->acount = acount;
	p->locked = locked;
	return WG_OK;
}

werr acct_login_verify(db *d, arena *a, const char *password, login_plan *p)
{
	pthread_once(&dummy_once, dummy_init);
	if (p->locked > p->now)
		return WG_OK; /* refused by acct_login_finish, unchecked */
	werr e = WG_OK;
	user_row *u = arena_alloc(a, sizeof *u);
	int rc = user_load(d, a, p->username, u, &e);
	if (rc < 0)
		return e;
	p->found = rc == DB_ROW;
	p->user = p->found ? u : NULL;
	p->ok = verify(p->found ? u->pw_hash : dummy, password ? password : "");
	return WG_OK;
}

/* The writes of a login (in the server's writer): a lock started by the attempt that filled
 * a count, or the places given back; the session; the audit rows.  W_EUNAUTH / W_ELOCKED
 * after the writes that go with them. */
werr acct_login_finish(db *d, arena *a, const login_plan *p, const char **token_out, json_t **user_out)
{
	const char *username = p->username, *source = p->source;
	int64_t now = p->now, count = p->count, acount = p->acount, locked = p->locked;
	if (locked > now) {
		login_audit(d, a, NULL, username, source, "locked");
		return locked_error(locked, now);
	}
	const user_row *up = p->user;
	bool found = p->found, ok = p->ok;
	if (!found || !ok || up->disabled) {
		/* the attempt that fills a count starts its lock */
		bool lock_pair = count >= LOCK_FAILURES, lock_name = acount >= LOCK_ACCOUNT_FAILURES;
		if (lock_pair)
			guard_run(d, SQL_GUARD_LOCK, username, source, now + LOCK_FOR_S);
		if (lock_name)
			guard_run(d, SQL_GUARD_LOCK, username, GUARD_ACCOUNT, now + LOCK_FOR_S);
		login_audit(d, a, found ? up : NULL, username, source, found && ok ? "disabled" : "failed");
		if (lock_pair || lock_name) {
			/* the auditors' (and the operator's `wangge audit`) notice of a lock: which one */
			actor ac = {.d = d, .a = a, .user_id = found ? up->id : 0, .username = username,
			            .role = found ? role_parse(up->role) : ROLE_NONE, .source = source};
			audit(&ac, "lockout", "session", 0, lock_name ? "account" : "address", "locked");
			fprintf(stderr, "wangge: login lockout of the name '%s' %s %s after repeated failures\n",
			        login_plausible(username) ? username : "(not a username)", lock_name ? "everywhere; the last from" : "from",
			        source);
			return w_fail(W_ELOCKED, "account_locked", NULL,
			              "连续登录失败次数过多，账号已锁定 15 分钟 / too many failed logins: locked for 15 minutes");
		}
		return w_fail(W_EUNAUTH, "invalid_credentials", NULL, "用户名或密码错误 / wrong username or password");
	}
	/* a success gives its places back: the pair starts over, the name's count of failures
	 * from everywhere stays */
	const user_row u = *up;
	werr e;
	guard_run(d, SQL_GUARD_CLEAR, username, source, 0);
	guard_run(d, SQL_GUARD_UNDO, username, GUARD_ACCOUNT, 0);
	guard_expire(d, now);
	char *token = arena_alloc(a, 65), th[65];
	random_hex(token, 32);
	hash_hex(token, th);
	db_stmt *s = db_get(d, SQL_SESSION_INSERT);
	db_bind_text(s, 1, th);
	db_bind_int(s, 2, u.id);
	db_bind_int(s, 3, now);
	db_bind_text(s, 4, source);
	if ((e = db_run(s, NULL)))
		return e;
	login_audit(d, a, &u, username, source, "ok");
	/* Expire old sessions now and then, on login rather than on every request. */
	s = db_get(d, SQL_SESSION_EXPIRE);
	db_bind_int(s, 1, now - SESSION_IDLE_S);
	db_bind_int(s, 2, now - SESSION_MAX_S);
	db_run(s, NULL);
	*token_out = token;
	*user_out = user_json(&u);
	return WG_OK;
}

werr acct_login(db *d, arena *a, const char *username, const char *password, const char *source,
                const char **token_out, json_t **user_out)
{
	login_plan p;
	werr e = acct_login_check(d, a, username, password, source, &p);
	return e ? e : acct_login_finish(d, a, &p, token_out, user_out);
}

static bool token_shape(const char *t)
{
	if (!t || strlen(t) != 64)
		return false;
	for (; *t; t++)
		if (!((*t >= '0' && *t <= '9') || (*t >= 'a' && *t <= 'f')))
			return false;
	return true;
}

/* ---- the sessions' cache ----
 * Every request presents its token: two look-ups (session, then user and unit) — on a
 * database server two of a check-in's round trips.  A session found valid is kept for
 * SCACHE_TTL_S seconds.  Any change to users, sessions or the unit tree committed by
 * this process empties the cache (acct_cache_invalidate: a new generation), so a
 * logout, a disabled account or a moved unit takes effect at the next request; a change
 * made by another process (the command line, a second server on PostgreSQL) within
 * SCACHE_TTL_S.  Direct-mapped by the token's hash: a collision only costs a look-up. */
enum { SCACHE_SLOTS = 4096, SCACHE_TTL_S = 5 };
typedef struct {
	char th[65]; /* "" when empty */
	unsigned gen;
	int64_t loaded, created, seen, user_id, unit_id;
	role user_role;
	char username[64], path[192];
} scache_entry;
static scache_entry *scache;
static pthread_mutex_t scache_mu = PTHREAD_MUTEX_INITIALIZER;
static _Atomic unsigned scache_gen = 1;

void acct_cache_invalidate(void)
{
	scache_gen++;
}

static unsigned scache_slot(const char *th)
{
	unsigned h = 0;
	for (int i = 0; i < 8; i++)
		h = h * 16 + (unsigned)(th[i] <= '9' ? th[i] - '0' : th[i] - 'a' + 10);
	return h % SCACHE_SLOTS;
}

static bool scache_get(const char *th, int64_t now, scache_entry *out)
{
	pthread_mutex_lock(&scache_mu);
	bool hit = scache && !strcmp(scache[scache_slot(th)].th, th);
	if (hit)
		*out = scache[scache_slot(th)];
	pthread_mutex_unlock(&scache_mu);
	return hit && out->gen == scache_gen && now - out->loaded < SCACHE_TTL_S && now >= out->loaded;
}

static void scache_put(const scache_entry *e)
{
	pthread_mutex_lock(&scache_mu);
	if (!scache)
		scache = xcalloc(SCACHE_SLOTS, sizeof *scache);
	scache[scache_slot(e->th)] = *e;
	pthread_mutex_unlock(&scache_mu);
}

/* Sessions' last uses waiting for acct_touch_flush() (the server's background thread):
 * a request never writes to the store to be read. */
enum { TOUCH_MAX = 4096 };
typedef struct {
	char th[65];
	int64_t at;
} touch_rec;
static touch_rec touches[TOUCH_MAX];
static int ntouch;
static bool touch_later;
static pthread_mutex_t touch_mu = PTHREAD_MUTEX_INITIALIZER;

void acct_touch_later(bool on)
{
	pthread_mutex_lock(&touch_mu);
	touch_later = on;
	pthread_mutex_unlock(&touch_mu);
}

struct acct_touches {
	int n;
	touch_rec rec[];
};

acct_touches *acct_touch_take(void)
{
	pthread_mutex_lock(&touch_mu);
	int n = ntouch;
	acct_touches *t = NULL;
	if (n) {
		t = xmalloc(sizeof *t + (size_t)n * sizeof t->rec[0]);
		t->n = n;
		memcpy(t->rec, touches, (size_t)n * sizeof t->rec[0]);
	}
	ntouch = 0;
	pthread_mutex_unlock(&touch_mu);
	return t;
}

werr acct_touch_write(db *d, const acct_touches *t)
{
	werr e = WG_OK;
	for (int i = 0; t && i < t->n && !e; i++) {
		db_stmt *s = db_get(d, SQL_SESSION_TOUCH);
		db_bind_text(s, 1, t->rec[i].th);
		db_bind_int(s, 2, t->rec[i].at);
		e = db_run(s, NULL);
	}
	return e;
}

void acct_touch_free(acct_touches *t)
{
	free(t);
}

werr acct_touch_flush(db *d)
{
	return acct_touch_commit(d, acct_touch_take());
}

werr acct_touch_commit(db *d, acct_touches *t)
{
	if (!t)
		return WG_OK;
	werr e = db_begin(d);
	if (!e)
		e = acct_touch_write(d, t);
	if (e || (e = db_commit(d)))
		db_rollback(d);
	acct_touch_free(t);
	return e;
}

/* The session's last use, written at most twice a minute: reads stay reads (a server
 * queues it for the ticker; the command line writes it at once). */
static werr session_touch(db *d, const char *th, int64_t seen, int64_t now)
{
	if (now - seen < 30)
		return WG_OK;
	pthread_mutex_lock(&touch_mu);
	bool later = touch_later && ntouch < TOUCH_MAX;
	if (later) {
		memcpy(touches[ntouch].th, th, 65);
		touches[ntouch++].at = now;
	}
	pthread_mutex_unlock(&touch_mu);
	if (later)
		return WG_OK;
	db_stmt *s = db_get(d, SQL_SESSION_TOUCH);
	db_bind_text(s, 1, th);
	db_bind_int(s, 2, now);
	return db_run(s, NULL);
}

werr acct_session(db *d, arena *a, const char *token, const char *source, actor *out)
{
	if (!token_shape(token))
		return w_fail(W_EUNAUTH, "unauthenticated", NULL, "请先登录 / please log in");
	char th[65];
	hash_hex(token, th);
	int64_t now = now_s();
	scache_entry c;
	if (scache_get(th, now, &c) && now - c.seen <= SESSION_IDLE_S && now - c.created <= SESSION_MAX_S) {
		if (now - c.seen >= 30) {
			werr te = session_touch(d, th, c.seen, now);
			if (te)
				return te;
			c.seen = now;
			scache_put(&c);
		}
		*out = (actor){.d = d, .a = a, .user_id = c.user_id, .username = arena_strdup(a, c.username),
		               .role = c.user_role, .unit_id = c.unit_id, .unit_path = arena_strdup(a, c.path),
		               .source = source};
		return WG_OK;
	}
	unsigned gen = scache_gen; /* before reading: a change committed meanwhile outdates the entry */
	db_stmt *s = db_get(d, SQL_SESSION_GET);
	db_bind_text(s, 1, th);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	int64_t uid = 0, created = 0, seen = 0;
	if (rc == DB_ROW) {
		uid = db_int(s, 0);
		created = db_int(s, 1);
		seen = db_int(s, 2);
	}
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW || now - seen > SESSION_IDLE_S || now - created > SESSION_MAX_S) {
		if (rc == DB_ROW)
			acct_logout(d, token);
		return w_fail(W_EUNAUTH, "session_expired", NULL, "登录已过期,请重新登录 / session expired, please log in again");
	}
	s = db_get(d, SQL_USER_BY_ID);
	db_bind_int(s, 1, uid);
	user_row u;
	rc = db_step(s, &e);
	if (rc == DB_ROW)
		user_from(a, s, &u);
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW || u.disabled)
		return w_fail(W_EUNAUTH, "unauthenticated", NULL, "请先登录 / please log in");
	if ((e = session_touch(d, th, seen, now)))
		return e;
	*out = (actor){.d = d, .a = a, .user_id = u.id, .username = u.username,
	               .role = role_parse(u.role), .unit_id = u.unit_id, .unit_path = u.path,
	               .source = source};
	if (strlen(u.username) < sizeof c.username && strlen(u.path) < sizeof c.path) {
		c = (scache_entry){.gen = gen, .loaded = now, .created = created, .seen = now - seen >= 30 ? now : seen,
		                   .user_id = u.id, .unit_id = u.unit_id, .user_role = out->role};
		memcpy(c.th, th, sizeof c.th);
		strcpy(c.username, u.username);
		strcpy(c.path, u.path);
		scache_put(&c);
	}
	return WG_OK;
}

werr acct_logout(db *d, const char *token)
{
	if (!token_shape(token))
		return WG_OK;
	char th[65];
	hash_hex(token, th);
	db_stmt *s = db_get(d, SQL_SESSION_DELETE);
	db_bind_text(s, 1, th);
	werr e = db_run(s, NULL);
	acct_cache_invalidate();
	return e;
}

json_t *acct_me(const actor *ac)
{
	db_stmt *s = db_get(ac->d, SQL_USER_BY_ID);
	db_bind_int(s, 1, ac->user_id);
	werr e;
	json_t *o = NULL;
	if (db_step(s, &e) == DB_ROW) {
		user_row u;
		user_from(ac->a, s, &u);
		o = user_json(&u);
	}
	db_done(s);
	return o ? o : json_object();
}

/* ---- administration ---- */

static werr username_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	bool ok = n >= 2 && n <= 32;
	for (size_t i = 0; ok && i < n; i++)
		ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		     s[i] == '.' || s[i] == '-';
	return ok ? WG_OK
	          : w_fail(W_EINVAL, "invalid_username", "username",
	                   "用户名 2–32 位小写字母、数字或 _ . - / username: 2–32 of a-z 0-9 _ . -");
}

/* Roles an actor may hand out: the operator any; an account only those role_grants()
 * allows it — none that sees or may do more than its own (actor.c). */
static werr may_grant(const actor *ac, role r)
{
	if (r == ROLE_NONE)
		return w_fail(W_EINVAL, "invalid_role", "role",
		              "role: admin command community grid_leader grid_worker cadre volunteer checkpoint auditor");
	if (!role_grants(ac->role, r))
		return w_fail(W_EFORBIDDEN, "forbidden", "role",
		              "你的角色不能授予 %s 角色（它能看到或做到的超出你的权限） / your role cannot grant %s: it sees or "
		              "may do more than yours",
		              role_name(r), role_name(r));
	return WG_OK;
}

/* Whether the actor may change another account (edit, reset its password, disable,
 * re-role, move): its role must be one the actor may grant, and it must not be a peer —
 * the same role at the same unit.  A peer's password is reset from above (an account
 * whose unit contains theirs and may grant their role) or on the command line, so that
 * nobody can take over a colleague's account and act under their name. */
static werr may_manage(const actor *ac, const user_row *u)
{
	if (ac->role == ROLE_OPERATOR) /* the command line resets anyone's */
		return WG_OK;
	role target = role_parse(u->role);
	if (!role_grants(ac->role, target))
		return w_fail(W_EFORBIDDEN, "forbidden", "username",
		              "你的角色不能修改 %s 账号 / your role cannot change a %s account", u->role, u->role);
	if (target == ac->role && u->unit_id == ac->unit_id)
		return w_fail(W_EFORBIDDEN, "forbidden", "username",
		              "同级同单位的账号由上级或系统管理员在服务器上修改 / a peer's account (same role, same unit) is "
		              "changed from the level above or on the server's command line");
	return WG_OK;
}

/* Load a user the actor may manage (in its subtree); 404 otherwise. */
static werr managed_user(const actor *ac, const char *username, user_row *u)
{
	*u = (user_row){0};
	werr e = WG_OK;
	int rc = user_load(ac->d, ac->a, username ? username : "", u, &e);
	if (rc < 0)
		return e;
	if (rc != DB_ROW || !actor_in_scope(ac, u->path))
		return w_fail(W_ENOTFOUND, "user_not_found", "username", "没有这个账号 / no such user");
	return WG_OK;
}

werr acct_add(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"username", "password", "role", "unit_code",
	                                      "display_name", "phone", NULL};
	const char *username, *password, *rolename, *unit_code, *display, *phone;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "username", true, 32, &username)) ||
	    (e = jv_str(body, "password", true, 256, &password)) || (e = jv_str(body, "role", true, 16, &rolename)) ||
	    (e = jv_str(body, "unit_code", true, 64, &unit_code)) ||
	    (e = jv_str(body, "display_name", false, 50, &display)) || (e = jv_str(body, "phone", false, 24, &phone)) ||
	    (e = username_valid(username)) || (e = password_valid(password)))
		return e;
	if ((e = may_grant(ac, role_parse(rolename)))) {
		if (e == W_EFORBIDDEN)
			audit(ac, "create", "user", 0, arena_printf(ac->a, "role:%s", rolename), "denied");
		return e;
	}
	char norm[32];
	if (phone && *phone && !phone_normalize(phone, norm, sizeof norm))
		return w_fail(W_EINVAL, "invalid_phone", "phone", "电话号码格式不对 / not a valid phone number");
	unit_row u;
	if ((e = unit_find(ac, unit_code, &u)))
		return w_fail(e, "unit_not_found", "unit_code", "没有这个单位 / no unit %s", unit_code);
	char hash[crypto_pwhash_STRBYTES];
	if ((e = hash_password(password, hash)) || (e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_USER_INSERT);
	db_bind_text(s, 1, username);
	db_bind_text(s, 2, display && *display ? display : username);
	db_bind_text(s, 3, phone && *phone ? norm : NULL);
	db_bind_text(s, 4, rolename);
	db_bind_int(s, 5, u.id);
	db_bind_text(s, 6, hash);
	db_bind_int(s, 7, now_s());
	int64_t id = 0;
	if ((e = db_run(s, &id))) {
		db_rollback(ac->d);
		if (e == W_ECONFLICT)
			return w_fail(e, "duplicate_username", "username", "用户名已存在 / username %s is taken", username);
		return e;
	}
	if ((e = audit(ac, "create", "user", id, "username,role,unit_code,display_name,phone", "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	user_row nu;
	managed_user(ac, username, &nu);
	*out = user_json(&nu);
	return WG_OK;
}

werr acct_update(const actor *ac, const char *username, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"display_name", "phone",    "role", "unit_code",
	                                      "password",     "disabled", "lang", "current_password", NULL};
	const char *display, *phone, *rolename, *unit_code, *password, *lang, *current;
	bool disabled = false, has_disabled;
	user_row u;
	werr e;
	if ((e = managed_user(ac, username, &u)) || (e = jv_only(body, allowed)) ||
	    (e = jv_str(body, "display_name", false, 50, &display)) || (e = jv_str(body, "phone", false, 24, &phone)) ||
	    (e = jv_str(body, "role", false, 16, &rolename)) || (e = jv_str(body, "unit_code", false, 64, &unit_code)) ||
	    (e = jv_str(body, "password", false, 256, &password)) || (e = jv_str(body, "lang", false, 8, &lang)) ||
	    (e = jv_str(body, "current_password", false, 256, &current)) ||
	    (e = jv_bool(body, "disabled", &disabled, &has_disabled)))
		return e;
	bool self = u.id == ac->user_id;
	if (!self && !actor_may(ac, ROLES_USERS))
		return w_fail(W_ENOTFOUND, "user_not_found", "username", "没有这个账号 / no such user");
	if (!self && (e = may_manage(ac, &u))) {
		audit(ac, "update", "user", u.id, NULL, "denied");
		return e;
	}
	if (self && password && !verify(u.pw_hash, current ? current : ""))
		return w_fail(W_EINVAL, "wrong_password", "current_password", "当前密码不对 / current_password is wrong");
	if (self && (rolename || unit_code || has_disabled))
		return w_fail(W_EFORBIDDEN, "forbidden", rolename ? "role" : unit_code ? "unit_code" : "disabled",
		              "不能修改自己的角色、单位或状态 / you cannot change your own role, unit or status");
	if (rolename && (e = may_grant(ac, role_parse(rolename))))
		return e;
	if (lang && strcmp(lang, "zh") != 0 && strcmp(lang, "en") != 0)
		return w_fail(W_EINVAL, "invalid_lang", "lang", "lang: zh or en");
	char norm[32];
	if (phone && *phone && !phone_normalize(phone, norm, sizeof norm))
		return w_fail(W_EINVAL, "invalid_phone", "phone", "电话号码格式不对 / not a valid phone number");
	unit_row nu;
	if (unit_code && (e = unit_find(ac, unit_code, &nu)))
		return w_fail(e, "unit_not_found", "unit_code", "没有这个单位 / no unit %s", unit_code);
	if (password && (e = password_valid(password)))
		return e;
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_USER_UPDATE);
	db_bind_int(s, 1, u.id);
	db_bind_text(s, 2, display && *display ? display : u.display_name);
	db_bind_text(s, 3, phone ? (*phone ? norm : NULL) : u.phone);
	db_bind_text(s, 4, rolename ? rolename : u.role);
	db_bind_int(s, 5, unit_code ? nu.id : u.unit_id);
	db_bind_text(s, 6, lang ? lang : u.lang);
	db_bind_int(s, 7, now_s());
	e = db_run(s, NULL);
	if (!e && password) {
		char hash[crypto_pwhash_STRBYTES];
		if (!(e = hash_password(password, hash))) {
			s = db_get(ac->d, SQL_USER_SET_PW);
			db_bind_int(s, 1, u.id);
			db_bind_text(s, 2, hash);
			db_bind_int(s, 3, now_s());
			e = db_run(s, NULL);
		}
	}
	if (!e && has_disabled) {
		s = db_get(ac->d, SQL_USER_SET_DISABLED);
		db_bind_int(s, 1, u.id);
		db_bind_int(s, 2, disabled);
		db_bind_int(s, 3, now_s());
		e = db_run(s, NULL);
	}
	/* a new password, role, unit or a disable ends the user's sessions */
	if (!e && (password || rolename || unit_code || (has_disabled && disabled))) {
		s = db_get(ac->d, SQL_SESSION_DELETE_USER);
		db_bind_int(s, 1, u.id);
		e = db_run(s, NULL);
	}
	if (e || (e = audit(ac, "update", "user", u.id, audit_fields(ac->a, body), "ok")) || (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	acct_cache_invalidate();
	managed_user(ac, username, &u);
	*out = user_json(&u);
	return WG_OK;
}

werr acct_passwd(const actor *ac, const char *username, const char *password)
{
	json_t *body = json_pack("{s:s}", "password", password ? password : ""), *out = NULL;
	werr e = acct_update(ac, username, body, &out);
	json_decref(body);
	json_decref(out);
	return e;
}

werr acct_disable(const actor *ac, const char *username, bool disabled)
{
	json_t *body = json_pack("{s:b}", "disabled", disabled), *out = NULL;
	werr e = acct_update(ac, username, body, &out);
	json_decref(body);
	json_decref(out);
	return e;
}

werr acct_list(const actor *ac, const char *unit_code, int64_t limit, int64_t offset, json_t **out)
{
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	const char *upper = scope_upper(ac->a, u.path);
	db_stmt *s = db_get(ac->d, SQL_USER_COUNT);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, upper);
	int64_t total = 0;
	if ((e = db_scalar(s, &total)))
		return e;
	int rc;
	json_t *items = json_array();
	s = db_get(ac->d, SQL_USER_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, upper);
	db_bind_int(s, 3, limit);
	db_bind_int(s, 4, offset);
	while ((rc = db_step(s, &e)) == DB_ROW) {
		user_row x;
		user_from(ac->a, s, &x);
		json_array_append_new(items, user_json(&x));
	}
	db_done(s);
	if (rc < 0) {
		json_decref(items);
		return e;
	}
	*out = jv_page(items, total, limit, offset);
	return WG_OK;
}

werr audit_list(const actor *ac, int64_t since, const char *username, const char *entity,
                int64_t limit, int64_t offset, json_t **out)
{
	werr e = WG_OK;
	const char *scope = ac->unit_path, *upper = scope_upper(ac->a, scope);
	db_stmt *s = db_get(ac->d, SQL_AUDIT_COUNT);
	db_bind_int(s, 1, since);
	db_bind_text(s, 2, username ? username : "");
	db_bind_text(s, 3, entity ? entity : "");
	db_bind_text(s, 4, scope);
	db_bind_text(s, 5, upper);
	/* rows of no account (the operator, unknown names, household links) go to auditors
	 * of the whole tree */
	int slashes = 0;
	for (const char *c = scope; *c; c++)
		slashes += *c == '/';
	db_bind_int(s, 6, slashes <= 2);
	int64_t total = 0;
	if ((e = db_scalar(s, &total)))
		return e;
	int rc;
	json_t *items = json_array();
	s = db_get(ac->d, SQL_AUDIT_LIST);
	db_bind_int(s, 1, since);
	db_bind_text(s, 2, username ? username : "");
	db_bind_text(s, 3, entity ? entity : "");
	db_bind_int(s, 4, limit);
	db_bind_int(s, 5, offset);
	db_bind_text(s, 6, scope);
	db_bind_text(s, 7, upper);
	db_bind_int(s, 8, slashes <= 2);
	while ((rc = db_step(s, &e)) == DB_ROW) {
		char at[32];
		fmt_time(db_int(s, 1), at);
		json_array_append_new(
		    items, json_pack("{s:I,s:s,s:o,s:o,s:s,s:o,s:o,s:o,s:o,s:s}", "id", (json_int_t)db_int(s, 0),
		                     "at", at, "username", jv_text(db_text(s, 2)), "role", jv_text(db_text(s, 3)),
		                     "action", db_text(s, 4), "entity", jv_text(db_text(s, 5)), "entity_id",
		                     jv_text(db_text(s, 6)), "fields", jv_text(db_text(s, 7)), "source",
		                     jv_text(db_text(s, 8)), "outcome", db_text(s, 9)));
	}
	db_done(s);
	if (rc < 0) {
		json_decref(items);
		return e;
	}
	*out = jv_page(items, total, limit, offset);
	return audit(ac, "read", "audit", 0, NULL, "ok");
}

/* h_session.c — login, logout, who am I, health. */
#include <microhttpd.h>
#include <string.h>

#include "api/handlers.h"
#include "app/ticker.h"
#include "app/writer.h"
#include "core/jv.h"
#include "domain/accounts.h"
#include "domain/settings.h"
#include "http/server.h"

/* Secure when the public URL is https (behind a TLS proxy the server itself speaks HTTP). */
static const char *cookie_secure(void)
{
	const char *u = server_public_url();
	return u && strncmp(u, "https://", 8) == 0 ? "; Secure" : "";
}

werr h_health(req *r)
{
	r->json = json_pack("{s:s}", "status", "ok");
	return WG_OK;
}

/* Who commits to the store, and what it costs the writer's cache (db_stats, issue 22): the
 * soak prints it every 30 s.  Counts since the server started, no personal data. */
werr h_health_store(req *r)
{
	db_stats s;
	db_stats_read(&s);
	r->json = json_pack("{s:s,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:I}", "store", db_kind(r->d), "writer", "jobs",
	                    (json_int_t)writer_jobs(), "commits", (json_int_t)s.writer_commits,
	                    "cache_resets", (json_int_t)s.writer_resets, "cache_hits",
	                    (json_int_t)s.writer_cache_hits, "cache_misses", (json_int_t)s.writer_cache_misses,
	                    "log_restarts_asked", (json_int_t)s.log_restarts_asked, "log_restarts_done",
	                    (json_int_t)s.log_restarts_done, "other_commits", (json_int_t)s.other_commits);
	/* the ticker's tasks: commits on its own connection (each one of other_commits when it
	 * changed rows), jobs handed to the writer */
	ticker_count tc[16];
	size_t n = ticker_counts(tc, sizeof tc / sizeof tc[0]);
	json_t *t = json_object();
	for (size_t i = 0; i < n; i++)
		json_object_set_new(t, tc[i].task,
		                    json_pack("{s:I,s:I}", "commits", (json_int_t)tc[i].commits,
		                              "writer_jobs", (json_int_t)tc[i].writer_jobs));
	json_object_set_new(r->json, "ticker", t);
	return WG_OK;
}

/* A login in three steps, so that it holds no HTTP thread and writes nothing outside the
 * writer: the body checked here; on a hashing thread (login_slow) the guard's reservation
 * through the writer (waited for), then the reads and the argon2id work; the writes —
 * session, failure count, audit row — in the writer's transaction (login_write), which
 * answers. */
typedef struct {
	req *r;
	const char *user, *pw;
	login_plan plan;
} login_job;

/* What the web app judges a reading by before the server does (the fever line of the
 * roll-call form, the chain's preview): the city's settings, not a copy of their defaults. */
static void with_settings(json_t *user)
{
	if (json_is_object(user))
		json_object_set_new(user, "fever_threshold", json_real(rc_config.fever_threshold));
}

static werr login_write(const actor *ac, void *plan, json_t **out)
{
	login_job *j = plan;
	req *r = j->r;
	const char *token;
	json_t *u;
	r->answer_err = WG_OK;
	werr e = acct_login_finish(ac->d, r->a, &j->plan, &token, &u);
	if (e == W_EUNAUTH || e == W_ELOCKED) {
		/* refused, with the failure counted and audited: those writes are kept */
		r->answer_err = e;
		r->answer_detail = *w_last();
		return WG_OK;
	}
	if (e)
		return e;
	json_decref(*out); /* a batch run again (with savepoints) runs this again */
	with_settings(u);
	*out = json_pack("{s:s,s:o,s:i,s:i}", "token", token, "user", u, "idle_timeout_s", SESSION_IDLE_S,
	                 "max_age_s", SESSION_MAX_S);
	r->cookie = arena_printf(r->a, "wg_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", token,
	                         SESSION_MAX_S, cookie_secure());
	r->status = 201;
	return WG_OK;
}

/* The guard's reservation of the attempt, in the writer's batch: on SQLite a commit on the
 * hashing thread's own connection would throw the writer's page cache away (writer.h). */
static werr login_guard(const actor *ac, void *plan, json_t **out)
{
	(void)out;
	login_job *j = plan;
	return acct_login_guard(ac->d, j->r->a, j->user, j->r->source, &j->plan);
}

static werr login_slow(req *r)
{
	login_job *j = r->slow_plan;
	/* on a database server the guard commits on this thread's connection, as before: a
	 * writer's batch there holds its row locks until its commit, and two writers' batches
	 * taking two names' guard rows in opposite orders could deadlock (no cache to keep) */
	werr e = db_remote(r->d) ? acct_login_guard(r->d, r->a, j->user, r->source, &j->plan)
	                         : writer_do(&r->ac, login_guard, j);
	if (!e)
		e = acct_login_verify(r->d, r->a, j->pw, &j->plan);
	if (e)
		return e;
	r->defer = login_write;
	r->defer_plan = j;
	return WG_OK;
}

werr h_login(req *r)
{
	static const char *const allowed[] = {"username", "password", NULL};
	json_t *body;
	const char *user, *pw;
	werr e = req_body_json(r, &body);
	if (e)
		return e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "username", true, 64, &user)) ||
	    (e = jv_str(body, "password", true, 256, &pw))) {
		json_decref(body);
		return e;
	}
	login_job *j = arena_alloc(r->a, sizeof *j);
	j->r = r;
	j->user = arena_strdup(r->a, user);
	j->pw = arena_strdup(r->a, pw);
	json_decref(body);
	r->slow = login_slow;
	r->slow_plan = j;
	return WG_OK;
}

static werr logout_write(const actor *ac, void *plan, json_t **out)
{
	(void)out;
	return acct_logout(ac->d, plan);
}

/* committed: a look-up between the delete and its commit may have cached the session */
static void logout_after(const actor *ac, void *plan)
{
	(void)ac;
	(void)plan;
	acct_cache_invalidate();
}

werr h_logout(req *r)
{
	const char *x = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Wangge");
	if (r->cookie_auth && (!x || strcmp(x, "1") != 0))
		return w_fail(W_EFORBIDDEN, "csrf", NULL, "missing X-Wangge header on a cookie-authenticated change");
	/* the session's row goes in the writer's next transaction */
	r->defer = logout_write;
	r->defer_after = logout_after;
	r->defer_plan = r->token ? arena_strdup(r->a, r->token) : NULL;
	r->cookie = arena_printf(r->a, "wg_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s", cookie_secure());
	r->json = json_pack("{s:b}", "logged_out", 1);
	return WG_OK;
}

werr h_me(req *r)
{
	r->json = acct_me(&r->ac);
	with_settings(r->json);
	return WG_OK;
}

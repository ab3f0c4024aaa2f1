/* server.c — see server.h.
 * libmicrohttpd calls access() several times per request: the first call creates the
 * per-request state (arena, route), later calls deliver the body in pieces (capped), and
 * the last one dispatches.  Each pool thread keeps its own store connection. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "app/auth.h"
#include "app/boot.h"
#include "app/ticker.h"
#include "app/writer.h"
#include "core/bus.h"
#include "core/jv.h"
#include "core/utf8.h"
#include "core/util.h"
#include "db/db.h"
#include "http/gate.h"
#include "app/req.h"

typedef struct conn_state {
	arena *a;
	buf body;
	bool too_big, dispatched;
	const route *rt;
	req r;
	struct timespec t0;
	struct MHD_Connection *conn;
	/* group commit: queued for the writer, then resumed with the outcome */
	bool deferred, deferred_done, answered;
	wjob job;                    /* the write handed to the writer, and its outcome */
	struct conn_state *next_job; /* the slow queue's */
} conn_state;

static const server_opts *opts;
static pthread_key_t db_key;
static char web_root[PATH_MAX];
static volatile sig_atomic_t stop_flag;
/* requests begun and not yet completed: a stop waits for them, up to DRAIN_MAX_S */
static atomic_int requests_in_flight;
enum { DRAIN_MAX_S = 25 };
/* libmicrohttpd's memory per connection (MHD_start_daemon below says why this size) */
enum { CONN_MEMORY = 32 * 1024 };

static void db_key_free(void *p)
{
	db_close(p);
}

/* This thread's store connection, opened on first use. */
static db *thread_db(void)
{
	db *d = pthread_getspecific(db_key);
	if (!d && db_open(opts->db_url, false, &d) == WG_OK)
		pthread_setspecific(db_key, d);
	return d;
}

static int method_of(const char *m)
{
	static const struct {
		const char *name;
		int bit;
	} t[] = {{"GET", M_GET},     {"POST", M_POST}, {"PATCH", M_PATCH},    {"DELETE", M_DELETE},
	         {"PUT", M_PUT},     {"HEAD", M_HEAD}, {"OPTIONS", M_OPTIONS}};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(m, t[i].name) == 0)
			return t[i].bit;
	return 0;
}

/* A route whose body is bytes, not text (a file: application/octet-stream): not checked as
 * UTF-8, and a body too large names the field "file". */
static bool binary_body(const char *ctype)
{
	return ctype && !strcmp(ctype, "application/octet-stream");
}

static void common_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
}

/* Content-Disposition of a download (RFC 6266): filename="…" in plain ASCII (the name itself
 * when it is plain ASCII, else the ASCII name given, else "download"), and, for a name that
 * is not, filename*=UTF-8''… (RFC 5987, percent-encoded) so that 日报-青和居社区-….csv arrives
 * as itself. */
static void content_disposition(const char *name, const char *ascii, char *out, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	bool plain = true;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			plain = false;
	size_t k = (size_t)snprintf(out, n, "attachment; filename=\"");
	const char *fallback = plain ? name : ascii ? ascii : "download";
	for (const unsigned char *p = (const unsigned char *)fallback; *p && k + 4 < n; p++)
		out[k++] = *p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\' ? '_' : (char)*p;
	out[k++] = '"';
	out[k] = 0;
	if (plain)
		return;
	int w = snprintf(out + k, n - k, "; filename*=UTF-8''");
	if (w < 0 || (size_t)w >= n - k)
		return; /* no room for the UTF-8 name: the plain one stands */
	k += (size_t)w;
	for (const unsigned char *p = (const unsigned char *)name; *p && k + 4 < n; p++) {
		unsigned c = *p;
		bool attr = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		            (c && strchr("!#$&+-.^_`|~", (int)c));
		if (attr) {
			out[k++] = (char)c;
		} else {
			out[k++] = '%';
			out[k++] = hex[c >> 4];
			out[k++] = hex[c & 15];
		}
	}
	out[k] = 0;
}

static enum MHD_Result send_buffer(struct MHD_Connection *c, int status, const char *ctype,
                                   char *data, size_t len, const char *cache, req *r)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Cache-Control", cache ? cache : "no-store");
	common_headers(resp);
	if (r && r->filename) {
		char cd[1200];
		content_disposition(r->filename, r->filename_ascii, cd, sizeof cd);
		MHD_add_response_header(resp, "Content-Disposition", cd);
	}
	if (r && r->cookie)
		MHD_add_response_header(resp, "Set-Cookie", r->cookie);
	if (strncmp(ctype, "text/html", 9) == 0) /* the QR sheet: its QR codes are inline SVG, its style /print.css */
		MHD_add_response_header(resp, "Content-Security-Policy",
		                        "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none';"
		                        " base-uri 'none'; form-action 'none'");
	if (status == 503)
		MHD_add_response_header(resp, "Retry-After", "5");
	if (status == 405)
		MHD_add_response_header(resp, "Allow", "GET, POST, PATCH, DELETE");
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* jansson hands its output over in small pieces (a key, a colon, a number): copied here
 * while they fit, buf_put() to grow */
static int dump_to_buf(const char *p, size_t n, void *v)
{
	buf *b = v;
	if (b->len + n < b->cap) {
		memcpy(b->p + b->len, p, n);
		b->len += n;
		b->p[b->len] = 0;
	} else {
		buf_put(b, p, n);
	}
	return 0;
}

/* Written straight into one buffer that libmicrohttpd frees: json_dumps() grows its own
 * from 16 bytes (five reallocations for a check-in's answer) and then copies it. */
static enum MHD_Result send_json(struct MHD_Connection *c, int status, json_t *j, req *r)
{
	buf b;
	buf_init(&b, NULL);
	buf_put(&b, "", 0); /* 256 bytes: a check-in's answer (~160) without growing */
	if (json_dump_callback(j, dump_to_buf, &b, JSON_COMPACT | JSON_REAL_PRECISION(6))) {
		b.len = 0;
		buf_puts(&b, "{}");
	}
	return send_buffer(c, status, "application/json; charset=utf-8", b.p, b.len, NULL, r);
}

/* The one error body: {"error":{"code","message","field"}}. */
static enum MHD_Result send_error(struct MHD_Connection *c, werr e, req *r)
{
	const wdetail *d = w_last();
	if (d->err != e || !d->code[0])
		w_record(e, NULL, NULL, "%s", w_default_code(e));
	json_t *j = json_pack("{s:{s:s,s:s,s:o}}", "error", "code", d->code, "message", d->message,
	                      "field", d->field[0] ? json_string(d->field) : json_null());
	/* a duplicate the caller may see names it: the handler left {"existing": …} (registry.c) */
	json_t *ex = e == W_ECONFLICT && r && json_is_object(r->json) ? json_object_get(r->json, "existing") : NULL;
	if (ex)
		json_object_set(json_object_get(j, "error"), "existing", ex);
	enum MHD_Result ret = send_json(c, w_http_status(e), j, r);
	json_decref(j);
	return ret;
}

static const char *header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* Bearer token, else the session cookie (then cookie_auth is set). */
static const char *find_token(struct MHD_Connection *c, bool *cookie)
{
	const char *h = header(c, "Authorization");
	*cookie = false;
	if (h && strncmp(h, "Bearer ", 7) == 0)
		return h + 7;
	const char *ck = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "wg_session");
	if (ck)
		*cookie = true;
	return ck;
}

/* ---- static web assets ---- */

static const char *mime_of(const char *path)
{
	static const struct {
		const char *ext, *type;
	} t[] = {{".html", "text/html; charset=utf-8"},  {".js", "text/javascript; charset=utf-8"},
	         {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
	         {".json", "application/json"},          {".svg", "image/svg+xml"},
	         {".png", "image/png"},                  {".ico", "image/x-icon"},
	         {".webmanifest", "application/manifest+json"}};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof t / sizeof t[0]; i++)
		if (strcmp(dot, t[i].ext) == 0)
			return t[i].type;
	return NULL;
}

static enum MHD_Result serve_static(struct MHD_Connection *c, const char *path, arena *a)
{
	if (strcmp(path, "/") == 0 || strcmp(path, "/app") == 0 || strncmp(path, "/app/", 5) == 0)
		path = "/index.html";
	const char *type = mime_of(path);
	bool bad = !type || strstr(path, "..") || strstr(path, "//") || !web_root[0];
	char *data = NULL;
	size_t len = 0;
	if (!bad)
		data = read_file(arena_printf(a, "%s%s", web_root, path), &len);
	if (!data) {
		w_record(W_ENOTFOUND, "not_found", NULL, "没有这个页面 / no such page");
		return send_error(c, W_ENOTFOUND, NULL);
	}
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Cache-Control",
	                        strcmp(path, "/index.html") == 0 ? "no-cache" : "public, max-age=300");
	MHD_add_response_header(resp, "Content-Security-Policy",
	                        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
	                        " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
	common_headers(resp);
	enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* ---- the live feed: Server-Sent Events ----
 * An SSE connection reads the bus from its own position, filtered to its user's subtree.
 * With nothing to send, the content reader parks (suspends) the connection and returns 0;
 * a publish, or the keep-alive tick every 15 s, resumes every parked connection. */

typedef struct sse_conn {
	struct MHD_Connection *c;
	char *scope;
	uint64_t after;
	bool parked;
	int64_t last_write;
	buf pending;
	struct sse_conn *next;
} sse_conn;

static pthread_mutex_t sse_mu = PTHREAD_MUTEX_INITIALIZER;
static sse_conn *sse_list;

static void sse_wake(void)
{
	pthread_mutex_lock(&sse_mu);
	for (sse_conn *s = sse_list; s; s = s->next)
		if (s->parked) {
			s->parked = false;
			MHD_resume_connection(s->c);
		}
	pthread_mutex_unlock(&sse_mu);
}

static ssize_t sse_reader(void *cls, uint64_t pos, char *out, size_t max)
{
	(void)pos;
	sse_conn *s = cls;
	if (stop_flag)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (s->pending.len == 0) {
		bus_read(&s->after, s->scope, &s->pending, 50);
		if (s->pending.len == 0 && now_s() - s->last_write >= 15)
			buf_puts(&s->pending, ": keep-alive\n\n");
	}
	if (s->pending.len == 0) {
		pthread_mutex_lock(&sse_mu);
		if (bus_last() > s->after) { /* published meanwhile: read again now */
			pthread_mutex_unlock(&sse_mu);
			return 0;
		}
		s->parked = true;
		MHD_suspend_connection(s->c);
		pthread_mutex_unlock(&sse_mu);
		return 0;
	}
	size_t n = s->pending.len < max ? s->pending.len : max;
	memcpy(out, s->pending.p, n);
	memmove(s->pending.p, s->pending.p + n, s->pending.len - n);
	s->pending.len -= n;
	s->last_write = now_s();
	return (ssize_t)n;
}

static void sse_free(void *cls)
{
	sse_conn *s = cls;
	pthread_mutex_lock(&sse_mu);
	for (sse_conn **p = &sse_list; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	pthread_mutex_unlock(&sse_mu);
	buf_release(&s->pending);
	free(s->scope);
	free(s);
}

static enum MHD_Result send_sse(struct MHD_Connection *c, req *r)
{
	sse_conn *s = xcalloc(1, sizeof *s);
	s->c = c;
	s->scope = xstrdup(r->ac.unit_path);
	const char *last = header(c, "Last-Event-ID");
	/* an id older than the ring, or from before a restart, is answered by bus_read()
	 * with a `reset` event: the client reloads what it shows */
	s->after = last ? strtoull(last, NULL, 10) : bus_last();
	buf_init(&s->pending, NULL);
	buf_puts(&s->pending, "retry: 3000\n: connected\n\n");
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, sse_reader, s, sse_free);
	if (!resp) {
		sse_free(s);
		return MHD_NO;
	}
	pthread_mutex_lock(&sse_mu);
	s->next = sse_list;
	sse_list = s;
	pthread_mutex_unlock(&sse_mu);
	MHD_add_response_header(resp, "Content-Type", "text/event-stream; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");
	common_headers(resp);
	enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* ---- group commit (app/writer.h) ----
 * A handler that leaves r->defer has its connection parked and a job handed to the
 * writer; the writer's done callback resumes the connection, which answers.  A full
 * queue answers 503 with Retry-After. */

static void job_done(wjob *j)
{
	conn_state *st = (conn_state *)((char *)j - offsetof(conn_state, job));
	st->r.json = j->out;
	j->out = NULL;
	st->deferred_done = true;
	MHD_resume_connection(st->conn);
}

/* Hand the request's write to the writer (the connection is parked by the caller). */
static bool wq_push(conn_state *st)
{
	req *r = &st->r;
	st->job = (wjob){.ac = r->ac,
	                 .run = r->defer,
	                 .together = r->defer_together,
	                 .plan = r->defer_plan,
	                 .out = r->json,
	                 .done = job_done};
	r->json = NULL;
	if (writer_push(&st->job))
		return true;
	r->json = st->job.out;
	st->job.out = NULL;
	return false;
}

static void job_fail(conn_state *st, werr e)
{
	st->job.err = e;
	st->job.detail = *w_last();
	st->job.detail.err = e;
}

/* ---- slow work: password hashing, imports, dashboards' reads ----
 * A login's argon2id work (tens of ms of a core, more on a busy machine) or a big sheet's
 * import (seconds to minutes) would hold its HTTP thread and every connection on it.  The
 * handler leaves r->slow; the connection is parked; a thread of the slow queue it names
 * (r->slow_long: the imports' own, so that two imports never hold up a login) runs it with
 * its own store connection, then hands the request to the writer (r->defer: the login's
 * writes) or resumes it to answer.  Their priority is a nice of 5, below the HTTP threads
 * and the writer, not lower: it is relative to every process of the machine, and at nice 10
 * a box also running PostgreSQL or a build (load ~20 on 2 cores) left a login's hash ~1 % of
 * a core — logins timed out after 10 s while check-ins flowed. */
enum { SLOW_NICE = 5 };
typedef struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	conn_state *head, *tail;
	size_t len, max;
	unsigned nthreads;
	bool exit;
	pthread_t threads[2];
} slow_queue;
static slow_queue slow_hash = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0, 2000, 2, false, {0}};
static slow_queue slow_long = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0, 64, 1, false, {0}};
/* The dashboards' reads (the route table's `reads`: coverage, its curve, the missing
 * list).  Polled as fast as they answer, on the HTTP threads they took the share of the
 * cores the roll-call needed: seven such clients cut a morning rush's check-ins to a fifth
 * (bench/load.sh, "flat out").  Here, at the slow queues' nice, they take what the
 * check-ins leave; at a city's pace they are answered as before. */
static slow_queue slow_reads = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0, 2000, 2, false, {0}};
enum { N_SLOW_QUEUES = 3 };
static slow_queue *const slow_queues[N_SLOW_QUEUES] = {&slow_hash, &slow_long, &slow_reads};

static bool sq_push(slow_queue *q, conn_state *st)
{
	pthread_mutex_lock(&q->mu);
	bool ok = q->len < q->max;
	if (ok) {
		st->next_job = NULL;
		if (q->tail)
			q->tail->next_job = st;
		else
			q->head = st;
		q->tail = st;
		q->len++;
		pthread_cond_signal(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	return ok;
}

static void *slow_worker(void *arg)
{
	slow_queue *q = arg;
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), SLOW_NICE); /* requests and the writer first */
	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (!q->head && !q->exit)
			pthread_cond_wait(&q->cv, &q->mu);
		conn_state *st = q->head;
		if (!st) {
			pthread_mutex_unlock(&q->mu);
			break;
		}
		q->head = st->next_job;
		if (!q->head)
			q->tail = NULL;
		q->len--;
		pthread_mutex_unlock(&q->mu);
		req *r = &st->r;
		slow_fn fn = r->slow;
		r->slow = NULL;
		w_clear();
		r->d = thread_db();
		r->ac.d = r->d; /* the actor's reads and writes on this thread's connection */
		werr e = r->d ? WG_OK : w_fail(W_EBUSY, "store_unavailable", NULL, "store unavailable");
		if (!e)
			e = app_call(r, fn);
		if (!e && r->defer) {
			if (wq_push(st))
				continue; /* the writer answers */
			e = w_fail(W_EBUSY, "busy", NULL, "服务器繁忙,请稍后重试 / server busy, retry shortly");
		}
		if (e)
			job_fail(st, e);
		st->deferred_done = true;
		MHD_resume_connection(st->conn);
	}
	return NULL;
}

static void slow_start(void)
{
	for (size_t k = 0; k < N_SLOW_QUEUES; k++)
		for (unsigned i = 0; i < slow_queues[k]->nthreads; i++)
			pthread_create(&slow_queues[k]->threads[i], NULL, slow_worker, slow_queues[k]);
}

/* On a stop: what waits in the slow queues is answered 503 at once, not run — forty logins
 * queued behind a loaded machine's hashing held a SIGTERM past 30 s, each hashed for a
 * session nobody would use.  What a slow thread has begun finishes (an import in flight). */
static void slow_refuse_waiting(void)
{
	for (size_t k = 0; k < N_SLOW_QUEUES; k++) {
		slow_queue *q = slow_queues[k];
		pthread_mutex_lock(&q->mu);
		conn_state *st = q->head;
		q->head = q->tail = NULL;
		q->len = 0;
		pthread_mutex_unlock(&q->mu);
		while (st) {
			conn_state *next = st->next_job;
			st->r.slow = NULL;
			job_fail(st, w_fail(W_EBUSY, "stopping", NULL, "服务器正在停止，请稍后重试 / server stopping, retry shortly"));
			st->deferred_done = true;
			MHD_resume_connection(st->conn);
			st = next;
		}
	}
}

static void slow_stop(void)
{
	for (size_t k = 0; k < N_SLOW_QUEUES; k++) {
		slow_queue *q = slow_queues[k];
		pthread_mutex_lock(&q->mu);
		q->exit = true;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
		for (unsigned i = 0; i < q->nthreads; i++)
			pthread_join(q->threads[i], NULL);
	}
}

/* ---- dispatch ---- */

static werr authorise(conn_state *st, struct MHD_Connection *c)
{
	req *r = &st->r;
	r->token = find_token(c, &r->cookie_auth);
	auth_in in = {.auth = st->rt->auth,
	              .roles = st->rt->roles,
	              .pattern = st->rt->pattern,
	              .token = r->token,
	              .cookie = r->cookie_auth,
	              .changes = r->method != M_GET && r->method != M_HEAD,
	              .x_wangge = header(c, "X-Wangge"),
	              .household = header(c, "X-Household-Token"),
	              .source = r->source};
	return app_authorise(r->d, r->a, &in, &r->ac, &r->link_household);
}

static enum MHD_Result dispatch(conn_state *st, struct MHD_Connection *c)
{
	req *r = &st->r;
	w_clear();
	if (st->too_big) /* a file's route names the file (the body is the file) */
		return send_error(c, w_fail(W_ETOOBIG, "too_large", binary_body(st->rt->ctype) ? "file" : NULL,
		                            "请求体超过 %zu 字节 / body larger than %zu bytes", st->rt->body_max, st->rt->body_max), r);
	r->d = thread_db();
	if (!r->d)
		return send_error(c, w_fail(W_EBUSY, "store_unavailable", NULL, "store unavailable"), r);
	r->body = st->body.p;
	r->body_len = st->body.len;
	werr e = authorise(st, c);
	if (!e && r->body_len > 0 && st->rt->ctype) {
		const char *ct = header(c, "Content-Type");
		size_t n = strlen(st->rt->ctype);
		/* the media type itself, then only parameters (";charset=…") may follow */
		if (!ct || strncasecmp(ct, st->rt->ctype, n) != 0 || (ct[n] && ct[n] != ';' && ct[n] != ' '))
			e = w_fail(W_EMEDIA, "unsupported_media_type", NULL, "Content-Type must be %s", st->rt->ctype);
	}
	if (!e && r->body_len > 0 && !binary_body(st->rt->ctype) && !utf8_valid(r->body, r->body_len) &&
	    (!st->rt->ctype || strcmp(st->rt->ctype, "text/csv") != 0))
		e = w_fail(W_EBADJSON, "bad_encoding", NULL, "request body is not valid UTF-8");
	bool reads = false;
	for (size_t i = 0; i < opts->routes->nreads && !reads; i++)
		reads = st->rt->fn == opts->routes->reads[i];
	if (!e && reads)
		r->slow = st->rt->fn; /* the handler itself, on a thread of the reads queue */
	else if (!e)
		e = app_call(r, st->rt->fn);
	if (!e && r->slow) {
		st->deferred = true;
		st->conn = c;
		if (sq_push(r->slow_long ? &slow_long : reads ? &slow_reads : &slow_hash, st)) {
			MHD_suspend_connection(c);
			return MHD_YES;
		}
		st->deferred = false;
		e = w_fail(W_EBUSY, "busy", NULL, "服务器繁忙,请稍后重试 / server busy, retry shortly");
	}
	if (!e && r->defer) {
		st->deferred = true;
		st->conn = c;
		if (wq_push(st)) {
			MHD_suspend_connection(c);
			return MHD_YES;
		}
		st->deferred = false;
		json_decref(r->json);
		r->json = NULL;
		e = w_fail(W_EBUSY, "busy", NULL, "服务器繁忙,请稍后重试 / server busy, retry shortly");
	}
	if (e)
		return send_error(c, e, r);
	if (r->sse)
		return send_sse(c, r);
	if (r->raw) {
		char *raw = r->raw;
		r->raw = NULL;
		return send_buffer(c, r->status ? r->status : 200, r->ctype, raw, r->raw_len, r->cache, r);
	}
	if (!r->json)
		r->json = json_object(); /* released with the request */
	enum MHD_Result ret = send_json(c, r->status ? r->status : 200, r->json, r);
	return ret;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version, const char *upload,
                                 size_t *upload_size, void **con_cls)
{
	(void)cls;
	(void)version;
	conn_state *st = *con_cls;
	if (!st) {
		/* the state lives in the request's arena: one allocation less, and not one
		 * of glibc's large ones (~1 KB), each of which consolidates its fast bins */
		arena *a = arena_new();
		st = arena_alloc(a, sizeof *st);
		st->a = a;
		clock_gettime(CLOCK_MONOTONIC, &st->t0);
		buf_init(&st->body, NULL);
		st->r.a = st->a;
		st->r.conn = c;
		st->r.method = method_of(method);
		st->r.path = arena_strdup(st->a, url);
		st->r.source = gate_client(c, st->a);
		gate_head_done(c);
		atomic_fetch_add(&requests_in_flight, 1);
		*con_cls = st;
		if (strncmp(url, "/api/", 5) == 0) {
			bool known;
			st->rt = route_match(opts->routes, &st->r, st->r.method, url, &known);
			if (!st->rt) {
				w_clear();
				werr e = known ? w_fail(W_EMETHOD, "method_not_allowed", NULL, "method not allowed")
				               : w_fail(W_ENOTFOUND, "not_found", NULL, "no such API route");
				st->dispatched = true;
				return send_error(c, e, &st->r);
			}
			const char *cl = header(c, "Content-Length");
			if (cl && strtoull(cl, NULL, 10) > st->rt->body_max) {
				st->dispatched = true;
				w_clear();
				return send_error(c, w_fail(W_ETOOBIG, "too_large", binary_body(st->rt->ctype) ? "file" : NULL,
				                            "请求体过大 / body larger than %zu bytes", st->rt->body_max), &st->r);
			}
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (!st->rt || st->dispatched) {
			*upload_size = 0;
			return MHD_YES;
		}
		if (st->body.len + *upload_size > st->rt->body_max)
			st->too_big = true;
		else
			buf_put(&st->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (st->dispatched) {
		/* resumed after the group commit: answer now */
		if (st->deferred && st->deferred_done && !st->answered) {
			st->answered = true;
			if (st->job.err) {
				const wdetail *dd = &st->job.detail;
				w_record(st->job.err, dd->code, dd->field[0] ? dd->field : NULL, "%s", dd->message);
				return send_error(c, st->job.err, &st->r);
			}
			/* durable: what follows it (its event published), with this thread's connection */
			if (st->r.defer_after && (st->r.ac.d = thread_db()))
				st->r.defer_after(&st->r.ac, st->r.defer_plan);
			if (st->r.answer_err) {
				const wdetail *dd = &st->r.answer_detail;
				w_record(st->r.answer_err, dd->code, dd->field[0] ? dd->field : NULL, "%s", dd->message);
				return send_error(c, st->r.answer_err, &st->r);
			}
			if (!st->r.json && st->r.defer_answer)
				st->r.json = st->r.defer_answer(&st->r.ac, st->r.defer_plan);
			if (!st->r.json)
				st->r.json = json_object();
			return send_json(c, st->r.status ? st->r.status : 200, st->r.json, &st->r);
		}
		return MHD_YES;
	}
	st->dispatched = true;
	if (!st->rt) {
		if (st->r.method != M_GET && st->r.method != M_HEAD) {
			w_clear();
			return send_error(c, w_fail(W_EMETHOD, "method_not_allowed", NULL, "method not allowed"), &st->r);
		}
		return serve_static(c, url, st->a);
	}
	return dispatch(st, c);
}

/* For the log: bytes below 0x20, DEL, the C1 controls (U+0080–U+009F, which a terminal
 * may read as escapes too), a backslash and whatever is not UTF-8, as \xNN. */
static void log_escape(buf *b, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		unsigned char ch = (unsigned char)s[i];
		size_t len = ch < 0x80 ? 1 : (ch & 0xE0) == 0xC0 ? 2 : (ch & 0xF0) == 0xE0 ? 3 : (ch & 0xF8) == 0xF0 ? 4 : 0;
		if (len > 1 && (i + len > n || !utf8_valid(s + i, len) || (ch == 0xC2 && (unsigned char)s[i + 1] < 0xA0)))
			len = 0;
		if (len == 0 || ch < 0x20 || ch == 0x7f || ch == '\\') {
			buf_printf(b, "\\x%02x", ch);
			i++;
		} else {
			buf_put(b, s + i, len);
			i += len;
		}
	}
}

static void completed_cb(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)toe;
	conn_state *st = *con_cls;
	if (!st)
		return;
	if (!opts->quiet) {
		struct timespec t1;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
		double ms = (double)(t1.tv_sec - st->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - st->t0.tv_nsec) / 1e6;
		/* path only: query strings may carry search terms; decoded, so escaped (a %0a
		 * must not forge a line, nor a %1b write to the terminal) */
		buf p;
		buf_init(&p, st->a);
		log_escape(&p, st->r.path ? st->r.path : "-");
		fprintf(stderr, "%s %s %u %.1fms %s\n", p.p,
		        st->r.ac.username ? st->r.ac.username : "-", ci ? ci->http_status : 0, ms,
		        toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : "aborted");
	}
	gate_request_done(c);
	atomic_fetch_sub(&requests_in_flight, 1);
	json_decref(st->r.json);
	free(st->r.raw);
	buf_release(&st->body);
	*con_cls = NULL;
	arena_free(st->a); /* st with it */
}

const char *server_public_url(void)
{
	return opts && opts->public_url && *opts->public_url ? opts->public_url : NULL;
}

/* libmicrohttpd's own error log.  A client that goes away in the middle of an answer (a
 * browser leaving a live page, a phone losing its network) is ordinary traffic, not a
 * server error: those lines are dropped.  The rest goes to stderr on one line each, with
 * control characters escaped — the library quotes request paths, and a decoded %0a or
 * %1b must not forge a log line or colour a terminal. */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	static const char *const gone[] = {"socket is no longer available", "forcibly closed by remote peer",
	                                   "closed by remote side"};
	char line[768];
	vsnprintf(line, sizeof line, fmt, ap);
	for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
		if (strstr(line, gone[i]))
			return;
	char out[sizeof line * 4 + 2];
	size_t k = 0;
	for (const unsigned char *c = (const unsigned char *)line; *c; c++) {
		if (*c < 0x20 || *c == 0x7f) {
			if (*c == '\n' && !c[1])
				break;
			k += (size_t)snprintf(out + k, sizeof out - k, "\\x%02x", *c);
		} else {
			out[k++] = (char)*c;
		}
	}
	out[k++] = '\n';
	fwrite(out, 1, k, stderr);
}

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void find_web_root(const char *given)
{
	const char *cands[3] = {given, NULL, "web"};
	char exe[PATH_MAX - 16];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 16);
	static char beside[PATH_MAX + 16];
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			snprintf(beside, sizeof beside, "%s/../web", exe);
			cands[1] = beside;
		}
	}
	for (int i = 0; i < 3; i++) {
		struct stat sb;
		if (cands[i] && stat(cands[i], &sb) == 0 && S_ISDIR(sb.st_mode) &&
		    realpath(cands[i], web_root))
			return;
	}
	web_root[0] = 0;
}

werr server_run(const server_opts *o)
{
	opts = o;
	if (!o->routes)
		return w_fail(W_EINVAL, "no_routes", NULL, "the server needs its route table");
	unsigned nwr;
	werr e = app_boot(o->db_url, o->writers, &nwr);
	if (e)
		return e;
	find_web_root(o->web_dir);
	pthread_key_create(&db_key, db_key_free);

	char host[64] = "127.0.0.1";
	unsigned port = 8080;
	const char *colon = strrchr(o->listen, ':');
	if (!colon || (size_t)(colon - o->listen) >= sizeof host || sscanf(colon + 1, "%u", &port) != 1 || port > 65535)
		return w_fail(W_EINVAL, "invalid_listen", "listen", "--listen must be HOST:PORT, e.g. 127.0.0.1:8080");
	memcpy(host, o->listen, (size_t)(colon - o->listen));
	host[colon - o->listen] = 0;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return w_fail(W_EINVAL, "invalid_listen", "listen", "--listen host must be an IPv4 address");
	/* the door (gate.c) listens and accepts; libmicrohttpd is handed what it admits */
	unsigned maxconn = o->max_connections ? o->max_connections : GATE_MAX_DEFAULT;
	gate_opts go = {.max_connections = maxconn, .per_address = o->per_address, .trusted_proxy = o->trusted_proxy};
	if ((e = gate_listen(&sa, &go)))
		return e;

	struct sigaction sig = {.sa_handler = on_signal};
	sigaction(SIGINT, &sig, NULL);
	sigaction(SIGTERM, &sig, NULL);
	signal(SIGPIPE, SIG_IGN);

	unsigned threads = o->threads ? o->threads : 4;
	struct MHD_Daemon *daemon = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
	        MHD_USE_NO_LISTEN_SOCKET,
	    0, NULL, NULL, access_cb, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, /* first, so it sees all */
	    MHD_OPTION_THREAD_POOL_SIZE, threads,
	    /* the gate caps the connections; the daemon's own cap (per pool thread, a share of
	     * this) stays clear of it */
	    MHD_OPTION_CONNECTION_LIMIT, 2 * maxconn + 64 * threads, MHD_OPTION_PER_IP_CONNECTION_LIMIT, 0,
	    MHD_OPTION_NOTIFY_CONNECTION, gate_notify, NULL, MHD_OPTION_CONNECTION_TIMEOUT, 30,
	    /* a connection's memory: its request head (a 16 KB cookie and more; past ~30 KB of
	     * headers, 431) and its read buffer.  libmicrohttpd zeroes the whole of it at every
	     * request of a kept-alive connection: at 64 KB that memset was a tenth of the HTTP
	     * threads' time in the rush, and each kept-alive connection held 33 KB; at 32 KB
	     * (libmicrohttpd's own default) 17 KB (bench/README.md, "A connection's memory") */
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY, MHD_OPTION_NOTIFY_COMPLETED,
	    completed_cb, NULL, MHD_OPTION_END);
	if (!daemon || gate_start(daemon)) {
		gate_stop();
		if (daemon)
			MHD_stop_daemon(daemon);
		return w_fail(W_EINVAL, "cannot_listen", "listen", "cannot serve on %s: %s", o->listen, strerror(errno));
	}
	printf("wangge serving http://%s:%u/ (store %s, %u threads, %u writer%s)\n", host, port, o->db_url, threads, nwr,
	       nwr == 1 ? "" : "s");
	if (o->public_url)
		printf("住户二维码和自报链接的地址 / household QR codes and links: %s/report.html#…\n", o->public_url);
	else
		printf("住户二维码和自报链接用浏览器打开本服务的地址；在本机用 http://%s:%u 打开时，居民手机扫不开。\n"
		       "给居民用的地址请用 --public-url 设置，例如 make run LISTEN=0.0.0.0:%u PUBLIC_URL=http://本机局域网IP:%u\n"
		       "/ household QR codes carry the address this page was opened at; set the residents' address with "
		       "--public-url (make run PUBLIC_URL=…)\n",
		       host, port, port, port);
	fflush(stdout);
	bus_on_publish(sse_wake);
	if ((e = writer_start(o->db_url, nwr)) || (e = ticker_start(o->db_url, sse_wake))) {
		writer_stop();
		gate_stop();
		MHD_stop_daemon(daemon);
		return e;
	}
	slow_start();
	while (!stop_flag)
		usleep(100 * 1000);
	ticker_stop();
	sse_wake(); /* parked feeds see stop_flag and end */
	/* stop accepting, let the requests in flight finish (a large import on a database
	 * server takes seconds); idle keep-alive connections do not hold the stop up */
	gate_stop();
	slow_refuse_waiting();
	for (int i = 0; i < DRAIN_MAX_S * 10 && atomic_load(&requests_in_flight) > 0; i++)
		usleep(100 * 1000);
	slow_stop(); /* logins in flight went on to the writer above */
	writer_stop(); /* queued writes were answered above; now the writers end */
	MHD_stop_daemon(daemon);
	fprintf(stderr, "wangge: stopped\n");
	return WG_OK;
}

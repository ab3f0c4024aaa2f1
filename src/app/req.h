/* req.h — one request as handlers see it (the HTTP layer fills it), and the route table's shape.
 * Everything here lives in r->a (the request arena) except r->json, the answer, which the
 * server releases after writing it.  A handler returns WG_OK having set r->json (or r->raw
 * for a download), or an error with the detail recorded by w_fail(); the router writes the
 * one JSON error body. */
#ifndef WG_REQ_H
#define WG_REQ_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"
#include "app/auth.h"
#include "app/writer.h"
#include "domain/actor.h"

enum { M_GET = 1, M_POST = 2, M_PATCH = 4, M_DELETE = 8, M_PUT = 16, M_HEAD = 32, M_OPTIONS = 64 };

enum {
	BODY_JSON_MAX = 100 * 1024,       /* JSON request bodies */
	BODY_IMPORT_MAX = 64 * 1024 * 1024, /* CSV uploads */
};

/* A write handed to the server's writer thread (group commit, app/writer.h): run inside
 * the writer's transaction with the writer's connection, then after the commit. */
/* Slow work without writes (argon2id): run on one of the server's hashing threads while
 * the connection waits, with that thread's store connection in r->d; then answered, or
 * handed to the writer when it set r->defer. */
struct req;
typedef werr (*slow_fn)(struct req *r);

/* What follows a deferred job that succeeded, in the HTTP thread once the writer is done
 * with it (the writer's thread is the one every write waits for): its event published,
 * its answer built from its plan. */
typedef void (*after_fn)(const actor *ac, void *plan);
typedef json_t *(*answer_fn)(const actor *ac, void *plan);

typedef struct req {
	arena *a;
	int method;
	const char *path;       /* decoded path, no query */
	const char *param[4];   /* {placeholders} of the matched route, in order */
	void *conn;             /* struct MHD_Connection * */
	const char *source;     /* client address */
	const char *body;
	size_t body_len;
	db *d;
	actor ac;               /* valid when the route needs a session */
	bool cookie_auth;       /* authenticated by cookie (CSRF check applies) */
	const char *token;
	/* the answer */
	int status;             /* 200 unless set */
	json_t *json;
	const char *ctype;      /* for raw */
	char *raw;              /* malloc'd, freed by the server */
	size_t raw_len;
	const char *filename;   /* Content-Disposition: attachment; UTF-8 (sent as filename*) */
	const char *filename_ascii; /* the plain filename= for old clients when filename is not ASCII */
	const char *cookie;     /* Set-Cookie value */
	const char *cache;      /* Cache-Control for raw answers */
	bool sse;               /* answer with the live event stream (GET /events) */
	int64_t link_household; /* AUTH_LINK: the household the token admits */
	defer_fn defer;         /* set by a handler whose write joins the next group commit */
	together_fn defer_together; /* may be NULL: writes of its kind written together (writer.h) */
	after_fn defer_after;   /* once the write is durable, on this request's thread and connection */
	answer_fn defer_answer; /* may be NULL: the job's out is the answer */
	void *defer_plan;
	slow_fn slow;           /* set by a handler whose work would hold the HTTP thread */
	void *slow_plan;
	bool slow_long;         /* r->slow takes seconds or more (an import): the long queue */
	/* a deferred job that succeeded — its writes are kept (a failed login counted) — but
	 * answers this error */
	werr answer_err;
	wdetail answer_detail;
} req;

typedef werr (*handler_fn)(req *r);

/* auth_kind (app/auth.h) — AUTH_LINK: no login; the household link token (header
 * X-Household-Token) admits its household only. */

typedef struct {
	int method;
	const char *pattern; /* "/api/v1/households/{id}" */
	handler_fn fn;
	auth_kind auth;
	unsigned roles;      /* bit per role allowed (R(ROLE_x)); ignored for AUTH_NONE */
	size_t body_max;     /* 0: no body accepted */
	const char *ctype;   /* required Content-Type of the body ("application/json", "text/csv") */
} route;

/* A route table (the API's is api/routes.h's), handed to the server by its caller.
 * reads: the handlers of the dashboards' polled reads, which the server runs on its reads
 * queue, below the roll-call's threads in priority (http/server.c). */
typedef struct {
	const route *routes;
	size_t n;
	const handler_fn *reads;
	size_t nreads;
} route_table;

/* Match method + path against the table.  Returns the route (params filled into r) or
 * NULL; *path_known tells whether some route has this path with another method. */
const route *route_match(const route_table *t, req *r, int method, const char *path, bool *path_known);

/* Query-string helpers: the value (UTF-8 checked) or NULL. */
const char *req_query(req *r, const char *key);
werr req_query_int(req *r, const char *key, int64_t def, int64_t min, int64_t max, int64_t *out);
werr req_paging(req *r, int64_t *limit, int64_t *offset);
werr req_body_json(req *r, json_t **out); /* strict parse; caller json_decref */
werr req_param_id(req *r, int i, const char *field, int64_t *out);
/* Run a handler step with the audit rows of its reads collected: a plain answer has them
 * written by the writer (a job of their own, with the answer already built); a failure, a
 * hand-over to the writer or the slow queue, a stream or a download has them written here. */
werr app_call(req *r, handler_fn fn);
#endif

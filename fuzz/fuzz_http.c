/* fuzz_http.c — the HTTP request path as the network sees it: one raw request (method,
 * path, query, headers, body) sent over a socket to the real server (libmicrohttpd, the
 * acceptor's caps, the router, the handlers, the group-commit writer) running in this
 * process on a throwaway SQLite store holding a small demo (qinghe, 40 households).
 *
 * So that inputs get past authentication, the placeholders @ADMIN@, @GW@ and @SEC@ are
 * replaced by session tokens of admin, gw01 and secretary (logged in once at start), and
 * @LINK@ by a household link token; after a request to /users, a unit or a link, those
 * accounts, their sessions and the link are put back.  Requests to /session (argon2id:
 * 0.1 s a login) and /events (a stream that never ends) are skipped.  The request is sent, the write side
 * shut, and the answer read to its end; the server and the store are removed at exit.
 *
 * Built twice: with fuzz/replay_main.c for `make fuzz-replay` (every file of
 * fuzz/corpus/http/), and with libFuzzer by `make -C bench fuzz` (fuzz/README.md). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "api/routes.h"
#include "core/util.h"
#include "db/db.h"
#include "domain/accounts.h"
#include "domain/demo.h"
#include "domain/links.h"
#include "domain/stats.h"
#include "http/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PASSWORD "wangge-fuzz-2026"

static char dir[64], db_path[128], listen_at[32];
static int port;
static pthread_t server_thread;
static bool started;
static db *fix; /* the harness's own connection to the store, to put its accounts back */
static struct {
	const char *mark;
	char value[80];
} subst[4] = {{"@ADMIN@", ""}, {"@GW@", ""}, {"@SEC@", ""}, {"@LINK@", ""}};

static void *serve(void *arg)
{
	(void)arg;
	server_opts so = {.db_url = db_path, .listen = listen_at, .threads = 2, .quiet = 1, .routes = &api_routes};
	if (server_run(&so) != WG_OK)
		fprintf(stderr, "fuzz_http: server_run: %s\n", w_last()->message);
	return NULL;
}

static void stop_server(void)
{
	if (!started)
		return;
	raise(SIGTERM); /* the server's handler: in-flight requests finish, then it returns */
	pthread_join(server_thread, NULL);
	db_close(fix);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_http: could not remove %s\n", dir);
}

static int free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t n = sizeof sa;
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) || getsockname(s, (struct sockaddr *)&sa, &n))
		abort();
	close(s);
	return ntohs(sa.sin_port);
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "%s", access("/dev/shm", W_OK) == 0 ? "/dev/shm/wangge-fuzz-XXXXXX" : "/tmp/wangge-fuzz-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(db_path, sizeof db_path, "%s/f.db", dir);
	actor ac = {.role = ROLE_OPERATOR, .unit_path = "/", .source = "cli", .username = "cli:fuzz"};
	if (db_open(db_path, true, &ac.d) || stats_ensure(ac.d))
		abort();
	ac.a = arena_new();
	demo_opts d = {.preset = "qinghe", .households = 40, .seed = 1, .password = PASSWORD, .scale = 1};
	if (demo_build(&ac, &d))
		abort();
	static const char *const users[] = {"admin", "gw01", "secretary"};
	for (int i = 0; i < 3; i++) {
		const char *tok;
		json_t *u = NULL;
		if (acct_login(ac.d, ac.a, users[i], PASSWORD, "fuzz", &tok, &u))
			abort();
		snprintf(subst[i].value, sizeof subst[i].value, "%s", tok);
		json_decref(u);
	}
	json_t *link = NULL;
	if (link_issue(&ac, 1, "http://fuzz", &link))
		abort();
	snprintf(subst[3].value, sizeof subst[3].value, "%s", json_string_value(json_object_get(link, "token")));
	json_decref(link);
	/* what restore() puts back: the three accounts, their sessions, the link */
	if (db_exec(ac.d, "CREATE TABLE fuzz_users AS SELECT id, role, unit_id FROM users"
	                  " WHERE username IN ('admin', 'gw01', 'secretary');"
	                  "CREATE TABLE fuzz_sessions AS SELECT token_hash, user_id, source FROM sessions;"
	                  "CREATE TABLE fuzz_links AS SELECT token_hash FROM household_links WHERE revoked_at IS NULL"))
		abort();
	db_close(ac.d);
	arena_free(ac.a);
	if (db_open(db_path, false, &fix))
		abort();

	port = free_port();
	snprintf(listen_at, sizeof listen_at, "127.0.0.1:%d", port);
	signal(SIGPIPE, SIG_IGN);
	if (pthread_create(&server_thread, NULL, serve, NULL))
		abort();
	started = true;
	atexit(stop_server);
	for (int i = 0; i < 200; i++) { /* until it listens */
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
		                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		int ok = connect(s, (struct sockaddr *)&sa, sizeof sa) == 0;
		close(s);
		if (ok)
			return;
		usleep(50 * 1000);
	}
	abort();
}

/* An input may disable, move or re-role the harness's accounts (ending their sessions)
 * or replace its household link: put them back, so later inputs still get in. */
static void restore(void)
{
	db_exec(fix, "UPDATE users SET role = (SELECT role FROM fuzz_users f WHERE f.id = users.id),"
	             " unit_id = (SELECT unit_id FROM fuzz_users f WHERE f.id = users.id), disabled = 0"
	             " WHERE id IN (SELECT id FROM fuzz_users);"
	             "INSERT OR REPLACE INTO sessions(token_hash, user_id, created_at, last_seen, source)"
	             " SELECT token_hash, user_id, CAST(strftime('%s', 'now') AS INTEGER),"
	             " CAST(strftime('%s', 'now') AS INTEGER), source FROM fuzz_sessions;"
	             "UPDATE household_links SET revoked_at = NULL WHERE token_hash IN (SELECT token_hash FROM fuzz_links)");
	acct_cache_invalidate();
}

/* The request line, %XX decoded and lower-cased: skip (1), restore after (2), or 0. */
static int line_kind(const uint8_t *p, size_t n)
{
	char line[512];
	size_t k = 0;
	for (size_t i = 0; i < n && p[i] != '\n' && k + 1 < sizeof line; i++) {
		int c = p[i];
		if (c == '%' && i + 2 < n && isxdigit(p[i + 1]) && isxdigit(p[i + 2])) {
			char hex[3] = {(char)p[i + 1], (char)p[i + 2], 0};
			c = (int)strtol(hex, NULL, 16);
			i += 2;
		}
		line[k++] = (char)tolower(c);
	}
	line[k] = 0;
	if (strstr(line, "session") || strstr(line, "events"))
		return 1;
	return strstr(line, "user") || strstr(line, "link") || strstr(line, "unit") ? 2 : 0;
}

/* data with the placeholders replaced (malloc'd) */
static char *expand(const uint8_t *data, size_t size, size_t *out_len)
{
	buf b;
	buf_init(&b, NULL);
	for (size_t i = 0; i < size;) {
		bool hit = false;
		for (int k = 0; k < 4 && !hit; k++) {
			size_t m = strlen(subst[k].mark);
			if (size - i >= m && memcmp(data + i, subst[k].mark, m) == 0) {
				buf_puts(&b, subst[k].value);
				i += m;
				hit = true;
			}
		}
		if (!hit)
			buf_put(&b, (const char *)data + i++, 1);
	}
	*out_len = b.len;
	return b.p;
}

static size_t body_of(const char *in, const char *end)
{
	return (size_t)(end - in) + 4;
}

/* Read one answer to its end: the head, then Content-Length bytes (none for HEAD, 204,
 * 304), skipping interim 1xx answers; without a length, until the server closes. */
static void read_answer(int s, const char *msg, size_t req_len)
{
	static char in[1 << 20];
	size_t n = 0, from = 0;
	bool head = req_len >= 5 && memcmp(msg, "HEAD ", 5) == 0;
	for (;;) {
		char *end = n > from ? memmem(in + from, n - from, "\r\n\r\n", 4) : NULL;
		if (end) {
			*end = 0;
			int status = n - from > 12 ? atoi(in + from + 9) : 0;
			if (getenv("FUZZ_HTTP_SHOW")) /* to check a seed reaches its handler */
				fprintf(stderr, "%.*s -> %d %.120s\n", (int)strcspn(msg, "\r\n"), msg, status,
				        n > body_of(in, end) ? in + body_of(in, end) : "");
			if (status >= 100 && status < 200) {
				from = (size_t)(end - in) + 4;
				continue;
			}
			const char *cl = strcasestr(in + from, "\r\nContent-Length:");
			size_t body_at = (size_t)(end - in) + 4;
			if (head || status == 204 || status == 304)
				return;
			if (cl && n >= body_at + strtoull(cl + 17, NULL, 10))
				return;
			*end = '\r';
		}
		if (n == sizeof in)
			n = from = 0; /* a long body: its end is all that matters */
		ssize_t r = recv(s, in + n, sizeof in - n, 0);
		if (r <= 0)
			return;
		n += (size_t)r;
	}
}

/* Whether the server has all of a request to answer: a whole head, and a body as long as
 * its Content-Length (or a last chunk).  Otherwise it waits for more — for the head
 * deadline — so the input is sent and the connection closed without waiting. */
static bool complete(const char *msg, size_t len)
{
	const char *end = memmem(msg, len, "\r\n\r\n", 4);
	size_t skip = 4;
	if (!end) {
		end = memmem(msg, len, "\n\n", 2);
		skip = 2;
	}
	if (!end)
		return false;
	size_t head = (size_t)(end - msg), body = len - head - skip;
	char *h = strndup(msg, head);
	const char *cl = strcasestr(h, "\nContent-Length:");
	bool chunked = strcasestr(h, "chunked") != NULL;
	bool ok = chunked ? memmem(end, len - head, "\r\n0\r\n", 5) != NULL
	                  : !cl || strtoull(cl + 16, NULL, 10) <= body;
	free(h);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!started)
		setup();
	int kind = size ? line_kind(data, size) : 1;
	if (size == 0 || size > 64 * 1024 || kind == 1)
		return 0;
	size_t len;
	char *msg = expand(data, size, &len);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct timeval tv = {.tv_sec = 5};
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) != 0) {
		if (pthread_tryjoin_np(server_thread, NULL) == 0) { /* stopped by a signal: not a find */
			started = false;
			fprintf(stderr, "fuzz_http: the server was stopped\n");
			_exit(0);
		}
		fprintf(stderr, "fuzz_http: the server stopped answering: %s\n", strerror(errno));
		abort();
	}
	size_t sent = 0;
	while (sent < len) {
		ssize_t w = send(s, msg + sent, len - sent, MSG_NOSIGNAL);
		if (w <= 0)
			break; /* the server may answer (413, 400) and close before reading it all */
		sent += (size_t)w;
	}
	shutdown(s, SHUT_WR);
	if (complete(msg, len)) {
		read_answer(s, msg, len);
	} else { /* reset: a half-closed head would hold its place until the head deadline */
		struct linger lg = {.l_onoff = 1, .l_linger = 0};
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	}
	close(s);
	free(msg);
	if (kind == 2)
		restore();
	return 0;
}

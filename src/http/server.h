/* server.h — the HTTP server (libmicrohttpd): connections, bodies with caps, sessions,
 * the route table, static web assets, security headers, graceful shutdown. */
#ifndef WG_SERVER_H
#define WG_SERVER_H
#include "core/err.h"
#include "app/req.h"

typedef struct {
	const char *db_url;
	const char *listen;  /* "127.0.0.1:8080" */
	const char *web_dir; /* static assets, NULL: found beside the binary */
	unsigned threads;
	unsigned writers;    /* PostgreSQL: connections committing check-ins in parallel (0: 2) */
	unsigned max_connections; /* 0: 1,000; past it 503 (gate.h) */
	unsigned per_address;     /* connections from one client address (0: 128) */
	const char *trusted_proxy; /* the reverse proxy whose X-Forwarded-For names the client */
	int quiet;           /* no access log */
	const char *public_url; /* "https://wangge.example.org": links and QR codes start with it */
	const route_table *routes; /* what /api/ answers */
} server_opts;

/* Serve until SIGINT/SIGTERM; in-flight requests finish.  Prints the address when ready. */
werr server_run(const server_opts *o);
/* The configured public origin (NULL when not set: links are built from the Host header). */
const char *server_public_url(void);
#endif

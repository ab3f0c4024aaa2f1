/* gate.h — the server's door, in front of libmicrohttpd.  The server's own accept loop
 * (libmicrohttpd runs without a listening socket and is handed each connection):
 *   - caps the connections, all together and per client address, answering past either
 *     cap `503` with `Retry-After` (JSON, `too_many_connections`) and closing;
 *   - gives every request head a deadline — from the connection's start, or the end of
 *     the previous answer on a kept-alive connection, to its last header line — that no
 *     trickle of bytes resets (libmicrohttpd's own timeout is an idle timeout);
 *   - names the client of a request: the peer address, or behind the configured reverse
 *     proxy (and only there) the address the proxy appended to X-Forwarded-For.
 * The figures are in docs/ARCHITECTURE.md (HTTP). */
#ifndef WG_GATE_H
#define WG_GATE_H
#include <microhttpd.h>
#include <netinet/in.h>

#include "core/arena.h"
#include "core/err.h"

enum {
	GATE_MAX_DEFAULT = 1000,      /* connections together */
	GATE_PER_ADDRESS_DEFAULT = 128, /* connections from one address: a NAT'd office of a dozen browsers */
	GATE_HEAD_TIMEOUT_S = 10,     /* the whole request head */
};

typedef struct {
	unsigned max_connections;  /* 0: GATE_MAX_DEFAULT */
	unsigned per_address;      /* 0: GATE_PER_ADDRESS_DEFAULT */
	const char *trusted_proxy; /* IPv4 address of the reverse proxy, or NULL */
} gate_opts;

/* Bind and listen (before the daemon starts, so an address in use is reported). */
werr gate_listen(const struct sockaddr_in *sa, const gate_opts *o);
/* Accept into the daemon (started with MHD_USE_NO_LISTEN_SOCKET and gate_notify) on a
 * thread of its own, until gate_stop(). */
werr gate_start(struct MHD_Daemon *d);
/* Stop accepting (the listening socket is closed); connections in flight go on. */
void gate_stop(void);

/* libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION callback. */
void gate_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                 enum MHD_ConnectionNotificationCode code);
/* The head of the connection's request is in (the first call of the access handler). */
void gate_head_done(struct MHD_Connection *c);
/* The answer is done: the next request's head has its own deadline from now. */
void gate_request_done(struct MHD_Connection *c);
/* The client's address (in a): see above. */
const char *gate_client(struct MHD_Connection *c, arena *a);
#endif

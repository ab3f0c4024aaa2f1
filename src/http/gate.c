/* gate.c — see gate.h.
 * Every accepted socket gets a slot, indexed by its descriptor, counted against the total
 * and against its address until libmicrohttpd reports the connection closed
 * (gate_notify, which it calls before closing the socket: a slot's descriptor is open as
 * long as the slot is in use).  The accept thread also sweeps the slots twice a second
 * and shuts down the socket of a head past its deadline; libmicrohttpd then reads the
 * end of the stream and closes the connection as it would any other. */
#include "http/gate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/util.h"

typedef struct {
	bool used, started, head_done, kept, cut;
	uint32_t addr; /* network order */
	int64_t head_from_ms;
} gate_slot;

/* live connections per address: a small chained hash, a node freed at zero */
typedef struct addr_node {
	uint32_t addr;
	unsigned n;
	struct addr_node *next;
} addr_node;
enum { ADDR_BUCKETS = 4096 };

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static gate_slot *slots;
static int nslots, top_fd;
static addr_node *buckets[ADDR_BUCKETS];
static unsigned total, max_total, per_address;
static uint32_t proxy_addr; /* 0: none */
static int listen_fd = -1;
static volatile int stopping;
static pthread_t acceptor_thread;
static bool accepting; /* the accept thread runs */
static struct MHD_Daemon *daemon_;

static addr_node **addr_find(uint32_t addr)
{
	addr_node **p = &buckets[(addr * 2654435761u) >> 20 & (ADDR_BUCKETS - 1)];
	while (*p && (*p)->addr != addr)
		p = &(*p)->next;
	return p;
}

static unsigned addr_count(uint32_t addr)
{
	addr_node *n = *addr_find(addr);
	return n ? n->n : 0;
}

static void addr_add(uint32_t addr, int delta)
{
	addr_node **p = addr_find(addr);
	if (!*p) {
		if (delta < 0)
			return;
		*p = xcalloc(1, sizeof **p);
		(*p)->addr = addr;
	}
	(*p)->n = (unsigned)((int)(*p)->n + delta);
	if ((*p)->n == 0) {
		addr_node *gone = *p;
		*p = gone->next;
		free(gone);
	}
}

/* Give a slot back (mu held). */
static void release(int fd)
{
	if (fd < 0 || fd >= nslots || !slots[fd].used)
		return;
	addr_add(slots[fd].addr, -1);
	total--;
	slots[fd] = (gate_slot){0};
}

werr gate_listen(const struct sockaddr_in *sa, const gate_opts *o)
{
	max_total = o->max_connections ? o->max_connections : GATE_MAX_DEFAULT;
	per_address = o->per_address ? o->per_address : GATE_PER_ADDRESS_DEFAULT;
	proxy_addr = 0;
	struct in_addr pa;
	if (o->trusted_proxy && *o->trusted_proxy) {
		if (inet_pton(AF_INET, o->trusted_proxy, &pa) != 1)
			return w_fail(W_EINVAL, "invalid_trusted_proxy", "trusted-proxy", "--trusted-proxy must be an IPv4 address");
		proxy_addr = pa.s_addr;
	}
	/* a slot per descriptor the process may open: as many as the hard limit allows */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rlim_t want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 1 << 20 ? 1 << 20 : rl.rlim_max;
		if (rl.rlim_cur < want) {
			rl.rlim_cur = want;
			setrlimit(RLIMIT_NOFILE, &rl);
			getrlimit(RLIMIT_NOFILE, &rl);
		}
		nslots = rl.rlim_cur > 1 << 20 ? 1 << 20 : (int)rl.rlim_cur;
	} else {
		nslots = 1024;
	}
	free(slots);
	slots = xcalloc((size_t)nslots, sizeof *slots);
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	if (listen_fd < 0 || setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
	    bind(listen_fd, (const struct sockaddr *)sa, sizeof *sa) || listen(listen_fd, 1024)) {
		int eno = errno;
		if (listen_fd >= 0)
			close(listen_fd);
		listen_fd = -1;
		char ip[INET_ADDRSTRLEN] = "?";
		inet_ntop(AF_INET, &sa->sin_addr, ip, sizeof ip);
		return w_fail(W_EINVAL, "cannot_listen", "listen", "cannot listen on %s:%u: %s", ip, ntohs(sa->sin_port),
		              strerror(eno));
	}
	return WG_OK;
}

/* Past a cap: a 503 with Retry-After, whatever had arrived of the request read (so the
 * close does not reset the connection before the answer is read), then closed. */
static void refuse(int fd)
{
	static const char body[] = "{\"error\":{\"code\":\"too_many_connections\",\"message\":"
	                           "\"服务器连接已满,请稍后重试 / too many connections, retry shortly\",\"field\":null}}";
	char head[300];
	int n = snprintf(head, sizeof head,
	                 "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
	                 "Cache-Control: no-store\r\nRetry-After: 5\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n",
	                 sizeof body - 1);
	char sink[4096];
	for (int i = 0; i < 16 && recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0; i++)
		;
	struct iovec iov[2] = {{head, (size_t)n}, {(void *)body, sizeof body - 1}};
	struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};
	if (sendmsg(fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL) > 0)
		shutdown(fd, SHUT_WR);
	close(fd);
}

static void admit(int fd, const struct sockaddr_in *sa)
{
	pthread_mutex_lock(&mu);
	if (fd >= nslots) {
		pthread_mutex_unlock(&mu);
		refuse(fd);
		return;
	}
	release(fd); /* a slot whose connection libmicrohttpd dropped without telling */
	uint32_t addr = sa->sin_addr.s_addr;
	bool full = total >= max_total || (addr != proxy_addr && addr_count(addr) >= per_address);
	if (!full) {
		slots[fd] = (gate_slot){.used = true, .addr = addr, .head_from_ms = mono_ms()};
		addr_add(addr, 1);
		total++;
		if (fd > top_fd)
			top_fd = fd;
	}
	pthread_mutex_unlock(&mu);
	if (full) {
		refuse(fd);
		return;
	}
	if (MHD_add_connection(daemon_, fd, (const struct sockaddr *)sa, sizeof *sa) != MHD_YES) {
		pthread_mutex_lock(&mu); /* the daemon closed it (and may have said so already) */
		release(fd);
		pthread_mutex_unlock(&mu);
	}
}

/* Heads past their deadline: a fresh connection is told 408, a kept-alive one that sent
 * nothing more is just closed (as any idle keep-alive may be). */
static void sweep(int64_t now)
{
	static const char body[] = "{\"error\":{\"code\":\"request_timeout\",\"message\":"
	                           "\"请求头超时 / request head too slow\",\"field\":null}}";
	static char msg[300];
	static int len;
	if (!len)
		len = snprintf(msg, sizeof msg,
		               "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json; charset=utf-8\r\n"
		               "Connection: close\r\nContent-Length: %zu\r\n\r\n%s",
		               sizeof body - 1, body);
	pthread_mutex_lock(&mu);
	for (int fd = 0; fd <= top_fd && fd < nslots; fd++) {
		gate_slot *s = &slots[fd];
		if (!s->used || !s->started || s->head_done || s->cut || now - s->head_from_ms < GATE_HEAD_TIMEOUT_S * 1000)
			continue;
		s->cut = true;
		if (!s->kept) /* best effort: with a full send buffer it is closed all the same */
			(void)!send(fd, msg, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
		shutdown(fd, SHUT_RDWR);
	}
	pthread_mutex_unlock(&mu);
}

static void *acceptor(void *arg)
{
	(void)arg;
	int64_t last_sweep = 0;
	while (!stopping) {
		struct pollfd p = {.fd = listen_fd, .events = POLLIN};
		int r = poll(&p, 1, 250);
		int64_t now = mono_ms();
		if (now - last_sweep >= 500) {
			last_sweep = now;
			sweep(now);
		}
		if (r <= 0 || stopping)
			continue;
		for (int i = 0; i < 256; i++) { /* what is waiting, then sweep again */
			struct sockaddr_in sa = {0};
			socklen_t n = sizeof sa;
			int fd = accept4(listen_fd, (struct sockaddr *)&sa, &n, SOCK_CLOEXEC | SOCK_NONBLOCK);
			if (fd < 0) {
				if (errno == EMFILE || errno == ENFILE)
					usleep(20 * 1000); /* out of descriptors: let connections end */
				break;
			}
			if (sa.sin_family != AF_INET) {
				close(fd);
				continue;
			}
			admit(fd, &sa);
		}
	}
	return NULL;
}

werr gate_start(struct MHD_Daemon *d)
{
	daemon_ = d;
	stopping = 0;
	if (pthread_create(&acceptor_thread, NULL, acceptor, NULL))
		return w_fail(W_EINTERNAL, "cannot_start", NULL, "cannot start the accept thread");
	accepting = true;
	return WG_OK;
}

void gate_stop(void)
{
	if (listen_fd < 0)
		return;
	stopping = 1;
	if (accepting)
		pthread_join(acceptor_thread, NULL);
	accepting = false;
	close(listen_fd);
	listen_fd = -1;
}

static int fd_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci && ci->socket_context ? (int)((gate_slot *)ci->socket_context - slots) : -1;
}

void gate_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                 enum MHD_ConnectionNotificationCode code)
{
	(void)cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		int fd = ci ? ci->connect_fd : -1;
		pthread_mutex_lock(&mu);
		if (fd >= 0 && fd < nslots && slots[fd].used) {
			slots[fd].started = true;
			*socket_context = &slots[fd]; /* slots is not moved while serving */
		}
		pthread_mutex_unlock(&mu);
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
		pthread_mutex_lock(&mu);
		release((int)((gate_slot *)*socket_context - slots));
		pthread_mutex_unlock(&mu);
		*socket_context = NULL;
	}
}

void gate_head_done(struct MHD_Connection *c)
{
	int fd = fd_of(c);
	if (fd < 0)
		return;
	pthread_mutex_lock(&mu);
	if (fd < nslots && slots[fd].used)
		slots[fd].head_done = true;
	pthread_mutex_unlock(&mu);
}

void gate_request_done(struct MHD_Connection *c)
{
	int fd = fd_of(c);
	if (fd < 0)
		return;
	pthread_mutex_lock(&mu);
	if (fd < nslots && slots[fd].used) {
		slots[fd].head_done = false;
		slots[fd].kept = true;
		slots[fd].head_from_ms = mono_ms();
	}
	pthread_mutex_unlock(&mu);
}

/* The last address of X-Forwarded-For (the one the proxy appended), if it is one. */
static bool forwarded(const char *xff, char out[INET6_ADDRSTRLEN])
{
	const char *last = strrchr(xff, ',');
	last = last ? last + 1 : xff;
	last += strspn(last, " \t");
	size_t n = strcspn(last, " \t");
	if (n == 0 || n >= INET6_ADDRSTRLEN)
		return false;
	char tmp[INET6_ADDRSTRLEN];
	memcpy(tmp, last, n);
	tmp[n] = 0;
	unsigned char bin[sizeof(struct in6_addr)];
	if (inet_pton(AF_INET, tmp, bin) == 1)
		return inet_ntop(AF_INET, bin, out, INET6_ADDRSTRLEN) != NULL;
	if (inet_pton(AF_INET6, tmp, bin) == 1)
		return inet_ntop(AF_INET6, bin, out, INET6_ADDRSTRLEN) != NULL;
	return false;
}

const char *gate_client(struct MHD_Connection *c, arena *a)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char ip[INET6_ADDRSTRLEN] = "?";
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET) {
			const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
			const char *xff = proxy_addr && in->sin_addr.s_addr == proxy_addr
			                      ? MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For")
			                      : NULL;
			if (!xff || !forwarded(xff, ip))
				inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
		} else if (sa->sa_family == AF_INET6) {
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ip, sizeof ip);
		}
	}
	return arena_strdup(a, ip);
}

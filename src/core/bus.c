/* bus.c — see bus.h. */
#include "core/bus.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	uint64_t seq;
	char *path, *type, *data;
} event;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static event ring[BUS_RING];
static uint64_t last_seq;
static void (*waker)(void);

void bus_publish(const char *path, const char *type, const char *data)
{
	pthread_mutex_lock(&mu);
	event *e = &ring[++last_seq % BUS_RING];
	free(e->path);
	free(e->type);
	free(e->data);
	e->seq = last_seq;
	e->path = xstrdup(path ? path : "/");
	e->type = xstrdup(type);
	e->data = xstrdup(data ? data : "{}");
	void (*fn)(void) = waker;
	pthread_mutex_unlock(&mu);
	if (fn)
		fn();
}

int bus_read(uint64_t *after, const char *scope, buf *out, int max)
{
	int n = 0;
	size_t sl = strlen(scope);
	pthread_mutex_lock(&mu);
	uint64_t from = *after + 1;
	if (last_seq >= BUS_RING && from <= last_seq - BUS_RING)
		from = last_seq - BUS_RING + 1; /* missed some: start at the oldest kept */
	for (uint64_t s = from; s <= last_seq && n < max; s++) {
		event *e = &ring[s % BUS_RING];
		*after = s;
		if (strncmp(e->path, scope, sl) != 0)
			continue;
		buf_printf(out, "id: %llu\nevent: %s\ndata: %s\n\n", (unsigned long long)e->seq, e->type, e->data);
		n++;
	}
	pthread_mutex_unlock(&mu);
	return n;
}

uint64_t bus_last(void)
{
	pthread_mutex_lock(&mu);
	uint64_t s = last_seq;
	pthread_mutex_unlock(&mu);
	return s;
}

void bus_on_publish(void (*fn)(void))
{
	pthread_mutex_lock(&mu);
	waker = fn;
	pthread_mutex_unlock(&mu);
}

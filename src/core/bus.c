/* bus.c — see bus.h. */
#include "core/bus.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
	uint64_t seq;
	int64_t at; /* monotonic milliseconds */
	char *mem;  /* path \0 type \0 data \0, one allocation */
	const char *type, *data;
} event;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static event *ring; /* cap slots, event seq at seq % cap */
static uint64_t cap;
static uint64_t last_seq;
static int keep_s = BUS_KEEP_DEFAULT;
static void (*waker)(void);

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void bus_keep(int seconds)
{
	pthread_mutex_lock(&mu);
	keep_s = seconds < 1 ? 1 : seconds > 3600 ? 3600 : seconds;
	pthread_mutex_unlock(&mu);
}

/* The oldest event held (last_seq + 1 when none). */
static uint64_t oldest(void)
{
	return last_seq >= cap ? last_seq - cap + 1 : 1;
}

/* Twice the room, every event kept at its place (seq % cap). */
static void grow(void)
{
	uint64_t ncap = cap ? cap * 2 : BUS_MIN;
	event *n = xcalloc(ncap, sizeof *n);
	for (uint64_t s = cap ? oldest() : 1; cap && s <= last_seq; s++)
		n[s % ncap] = ring[s % cap];
	free(ring);
	ring = n;
	cap = ncap;
}

void bus_publish(const char *path, const char *type, const char *data)
{
	path = path ? path : "/";
	data = data ? data : "{}";
	size_t pl = strlen(path) + 1, tl = strlen(type) + 1, dl = strlen(data) + 1;
	char *mem = xmalloc(pl + tl + dl);
	memcpy(mem, path, pl);
	memcpy(mem + pl, type, tl);
	memcpy(mem + pl + tl, data, dl);
	int64_t now = mono_ms();
	pthread_mutex_lock(&mu);
	if (!cap)
		grow();
	/* the slot holds the event cap ago: while that one is younger than the time kept,
	 * the ring grows instead of dropping it */
	event *e = &ring[(last_seq + 1) % cap];
	while (e->mem && now - e->at < (int64_t)keep_s * 1000 && cap < BUS_MAX) {
		grow();
		e = &ring[(last_seq + 1) % cap];
	}
	free(e->mem);
	e->seq = ++last_seq;
	e->at = now;
	e->mem = mem;
	e->type = mem + pl;
	e->data = mem + pl + tl;
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
	uint64_t from = *after + 1, old = oldest();
	if (*after > last_seq || from < old) {
		/* events this reader has not seen are gone (or it names an id of another
		 * process): it must reload what it shows, then it goes on from here */
		uint64_t missed = *after > last_seq ? 0 : old - from;
		from = *after > last_seq ? last_seq + 1 : old;
		buf_printf(out, "id: %llu\nevent: reset\ndata: {\"missed\":%llu,\"from\":%llu}\n\n",
		           (unsigned long long)(from - 1), (unsigned long long)missed, (unsigned long long)from);
		*after = from - 1;
		n++;
	}
	for (uint64_t s = from; s <= last_seq && n < max; s++) {
		event *e = &ring[s % cap];
		*after = s;
		if (strncmp(e->mem, scope, sl) != 0)
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

uint64_t bus_capacity(void)
{
	pthread_mutex_lock(&mu);
	uint64_t c = cap;
	pthread_mutex_unlock(&mu);
	return c;
}

void bus_on_publish(void (*fn)(void))
{
	pthread_mutex_lock(&mu);
	waker = fn;
	pthread_mutex_unlock(&mu);
}

void bus_publish_json(const char *path, const char *type, json_t *o)
{
	if (!o)
		return;
	char *txt = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
	if (txt)
		bus_publish(path, type, txt);
	free(txt);
	json_decref(o);
}

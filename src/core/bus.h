/* bus.h — the in-process event bus behind the live feeds (Server-Sent Events).
 * Domain code publishes after a commit; each event carries the unit path it concerns, so a
 * reader sees only events inside its own subtree.  A ring of the latest events lets a
 * reader that stalls or reconnects (Last-Event-ID) catch up: it holds every event of the
 * last bus_keep() seconds (growing with the rate, up to BUS_MAX events), and a reader
 * that fell further behind is told so with a `reset` event, never moved on silently.
 * Thread-safe. */
#ifndef WG_BUS_H
#define WG_BUS_H
#include <jansson.h>
#include <stdint.h>

#include "core/arena.h"

enum { BUS_MIN = 1024, BUS_MAX = 1 << 18, BUS_KEEP_DEFAULT = 30 };

/* How many seconds of events the ring keeps (1–3600; BUS_KEEP_DEFAULT before it is set). */
void bus_keep(int seconds);
/* Publish: path of the unit concerned, event type ("alert", "checkin", "coverage"…),
 * data (a JSON text, copied). */
void bus_publish(const char *path, const char *type, const char *data);
/* The same with a JSON object (compact; reals to 6 digits), which it takes. */
void bus_publish_json(const char *path, const char *type, json_t *o);
/* Append to out, in SSE wire format, the events after *after that lie within scope
 * (a unit path prefix); *after advances to the last event looked at.  When events after
 * *after are no longer held (the reader fell behind the ring, or *after is not an id of
 * this process), a `reset` event comes first — data {"missed":N,"from":ID} — and the
 * reader goes on from the oldest event held.  Returns the count written (reset included). */
int bus_read(uint64_t *after, const char *scope, buf *out, int max);
uint64_t bus_last(void);
/* The number of events the ring has room for now (tests, figures). */
uint64_t bus_capacity(void);
/* Called (without the bus lock held) after each publish — the server wakes its parked
 * SSE connections with it. */
void bus_on_publish(void (*fn)(void));
#endif

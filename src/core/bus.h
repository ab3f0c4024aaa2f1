/* bus.h — the in-process event bus behind the live feeds (Server-Sent Events).
 * Domain code publishes after a commit; each event carries the unit path it concerns, so a
 * reader sees only events inside its own subtree.  A ring of the latest events lets a
 * reader that reconnects (Last-Event-ID) catch up.  Thread-safe. */
#ifndef WG_BUS_H
#define WG_BUS_H
#include <stdint.h>

#include "core/arena.h"

enum { BUS_RING = 1024 };

/* Publish: path of the unit concerned, event type ("alert", "checkin", "coverage"…),
 * data (a JSON text, copied). */
void bus_publish(const char *path, const char *type, const char *data);
/* Append to out, in SSE wire format, the events after *after that lie within scope
 * (a unit path prefix); *after advances to the last event looked at.  Returns the count. */
int bus_read(uint64_t *after, const char *scope, buf *out, int max);
uint64_t bus_last(void);
/* Called (without the bus lock held) after each publish — the server wakes its parked
 * SSE connections with it. */
void bus_on_publish(void (*fn)(void));
#endif

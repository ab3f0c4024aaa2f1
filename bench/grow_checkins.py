#!/usr/bin/env python3
"""grow_checkins.py — a store as a long rush leaves it, in a minute instead of half an hour.

Writes into a copy of a city preset (never the server's live store) the check-ins that
the 30-minute soak at 1,130/s leaves: one check-in today for every living resident in a
random order, then a re-check of a random FRACTION of them (the earlier row superseded by
the later, as the server writes it), ids and times increasing as they would, client ids
as random as the soak's.  The counters (day_counts) are NOT updated: a soak started on
the grown store measures latency; its end check of counters against the recount fails.

usage: grow_checkins.py STORE [FRACTION] [DAY]   (again with other DAYs for a history)
   FRACTION  re-checks per resident (default 0.95: 2.0 M rows on the 0.1 city, ~880 MB)
   DAY       YYYY-MM-DD (default today in China time, as the server counts days)"""
import datetime
import random
import sqlite3
import sys
import time


def main():
    path = sys.argv[1]
    frac = float(sys.argv[2]) if len(sys.argv) > 2 else 0.95
    day = sys.argv[3] if len(sys.argv) > 3 else \
        (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)).strftime("%Y-%m-%d")
    rnd = random.Random(7)
    d = sqlite3.connect(path, isolation_level=None)
    d.executescript("PRAGMA synchronous=OFF; PRAGMA cache_size=-1048576; PRAGMA journal_mode=WAL")
    people = d.execute("SELECT id, household_id, district_id FROM residents WHERE residence = 'living'").fetchall()
    first = people[:]
    rnd.shuffle(first)
    again = rnd.sample(people, int(len(people) * frac))
    nxt = (d.execute("SELECT coalesce(max(id), 0) FROM checkins").fetchone()[0] or 0) + 1
    events = []  # (id, resident, household, district)
    for p in first + again:
        events.append((nxt, p[0], p[1], p[2]))
        nxt += 1
    later = {}  # resident -> id of its later row
    for e in reversed(events):
        if e[1] not in later:
            later[e[1]] = e[0]
    t0 = int(time.time()) - 3600
    step = 3600.0 / len(events)

    def rows():
        for i, (cid, rid, hid, dist) in enumerate(events):
            sup = later[rid]
            yield (cid, day, rid, hid, "reported", 36.5, "phone", int(t0 + i * step),
                   "pre-%s-%d-%d" % (day, rid, rnd.getrandbits(40)), 0 if sup == cid else sup, dist)

    d.execute("BEGIN")
    d.executemany("INSERT INTO checkins (id, day, resident_id, household_id, status, temperature, channel,"
                  " recorded_at, client_id, superseded_by, district_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows())
    # none of them deferred (the server's writer defers a rush's counters, stats.c): the
    # mark past them, or the server's first start reads them all looking for some
    d.execute("UPDATE day_counts_mark SET checkin_id = (SELECT max(id) FROM checkins) WHERE id = 1")
    d.execute("COMMIT")
    d.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    n = d.execute("SELECT count(*) FROM checkins").fetchone()[0]
    size = d.execute("PRAGMA page_count").fetchone()[0] * d.execute("PRAGMA page_size").fetchone()[0]
    print("%s: %d check-ins on %s, %d MB" % (path, n, day, size >> 20))


if __name__ == "__main__":
    main()

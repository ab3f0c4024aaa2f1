#!/usr/bin/env python3
"""bench/supply_picking.py [HOUSEHOLDS] — the picking list of a city-sized supply round.

Builds the qinghe demo with HOUSEHOLDS households (default 1,000,000) in bench/out/
(kept for the next run), puts one order of every household into a new round straight in
the store (three packages, quantities 0-2 and at least one vegetable package: about
2.3 lines an order), starts the server and times, three times each (median printed):
the round's figures (households ordered / total, by state), the picking list of the whole
community as JSON, as printable HTML and as XLSX, and one building's.  The community's
totals are checked against a sum over the store.  Prints figures; asserts nothing about time.
The round's figures and picking list are read from the counters the server keeps with each
order (supply_counts, supply_state_counts); the bench writes them for its round as the
migration builds them.  SQLite only (the store file is written by Python's sqlite3 while the
server is down)."""
import http.client
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BIN = os.environ.get("WANGGE_BIN") or os.path.join(ROOT, "build", "wangge")
N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
OUT = os.path.join(ROOT, "bench", "out")
DB = os.path.join(OUT, "supply-%d.db" % N)
COMMUNITY = "420107003008"


def port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def counters(con, rid):
    """The counters of round rid from its orders (the migration's backfill, for one round)."""
    for t in ("supply_counts", "supply_state_counts"):
        con.execute("DELETE FROM %s WHERE round_id = ?" % t, (rid,))
    con.execute("INSERT INTO supply_counts(round_id, unit_id, package_id, qty, orders)"
                " SELECT o.round_id, o.unit_id, i.package_id, sum(i.qty), count(*) FROM supply_orders o"
                " JOIN supply_items i ON i.order_id = o.id WHERE o.round_id = ? AND o.state <> 'cancelled'"
                " GROUP BY o.round_id, o.unit_id, i.package_id", (rid,))
    con.execute("INSERT INTO supply_counts(round_id, unit_id, package_id, qty, orders)"
                " SELECT round_id, unit_id, 0, count(*), count(*) FROM supply_orders WHERE round_id = ? AND state <> 'cancelled'"
                " GROUP BY round_id, unit_id", (rid,))
    con.execute("INSERT INTO supply_state_counts(round_id, unit_id, state, n)"
                " SELECT round_id, unit_id, state, count(*) FROM supply_orders WHERE round_id = ? GROUP BY round_id, unit_id, state",
                (rid,))


def main():
    os.makedirs(OUT, exist_ok=True)
    if not os.path.exists(DB):
        t = time.time()
        subprocess.run([BIN, "demo", "--db", DB, "--preset", "qinghe", "--households", str(N), "--seed", "1"],
                       check=True, capture_output=True)
        print("demo of %d households built in %.0f s" % (N, time.time() - t))
    con = sqlite3.connect(DB)
    now = int(time.time())
    rid = con.execute("SELECT id FROM supply_rounds WHERE name = 'bench round'").fetchone()
    if not rid:
        t = time.time()
        unit = con.execute("SELECT id FROM units WHERE code = ?", (COMMUNITY,)).fetchone()[0]
        cur = con.execute("INSERT INTO supply_rounds(unit_id, name, opens_at, cutoff_at, rest_minutes, created_at)"
                          " VALUES (?, 'bench round', ?, ?, 120, ?)", (unit, now - 86400, now - 3600, now))
        rid = cur.lastrowid
        pk = [r[0] for r in con.execute("SELECT id FROM supply_packages ORDER BY id LIMIT 3")]
        price = dict(con.execute("SELECT id, price_fen FROM supply_packages"))
        for p in pk:
            con.execute("INSERT INTO supply_round_packages VALUES (?, ?)", (rid, p))
        con.execute("INSERT INTO supply_orders(round_id, household_id, unit_id, path, state, payment, total_fen, door,"
                    " state_at, created_at, updated_at) SELECT ?, h.id, h.unit_id, u.path, 'paid', 'online', 0, 0, ?, ?, ?"
                    " FROM households h JOIN units u ON u.id = h.unit_id WHERE h.retired_at IS NULL", (rid, now, now, now))
        for k, p in enumerate(pk):
            # quantities 0-2 by the order id; the vegetable package (the 2nd) at least 1
            q = "1 + (o.id % 2)" if k == 1 else "(o.id + %d) %% 3" % k
            con.execute("INSERT INTO supply_items(order_id, package_id, qty, price_fen) SELECT o.id, ?, %s, ?"
                        " FROM supply_orders o WHERE o.round_id = ? AND %s > 0" % (q, q), (p, price[p], rid))
        con.execute("UPDATE supply_orders SET total_fen = (SELECT sum(qty * price_fen) FROM supply_items WHERE order_id = supply_orders.id)"
                    " WHERE round_id = ?", (rid,))
        # the round's counters, as the server keeps them (a store from before they existed gets
        # them from its migration when the server opens it)
        if con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'supply_counts'").fetchone()[0]:
            counters(con, rid)
        con.commit()
        print("%d orders written in %.0f s" % (con.execute("SELECT count(*) FROM supply_orders WHERE round_id = ?", (rid,)).fetchone()[0],
                                              time.time() - t))
    else:
        rid = rid[0]
    want = dict((str(p), q) for p, q in con.execute(
        "SELECT i.package_id, sum(i.qty) FROM supply_items i JOIN supply_orders o ON o.id = i.order_id"
        " WHERE o.round_id = ? GROUP BY i.package_id", (rid,)))
    orders = con.execute("SELECT count(*) FROM supply_orders WHERE round_id = ?", (rid,)).fetchone()[0]
    building = con.execute("SELECT code FROM units WHERE kind = 'building' ORDER BY path LIMIT 1").fetchone()[0]
    con.close()

    p = port()
    srv = subprocess.Popen([BIN, "serve", "--db", DB, "--listen", "127.0.0.1:%d" % p, "--quiet"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                c = http.client.HTTPConnection("127.0.0.1", p, timeout=600)
                c.request("GET", "/api/v1/health")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        c = http.client.HTTPConnection("127.0.0.1", p, timeout=600)
        c.request("POST", "/api/v1/session", json.dumps({"username": "secretary", "password": "wangge-demo-2026"}),
                  {"Content-Type": "application/json"})
        tok = json.loads(c.getresponse().read())["token"]

        def get(path):
            c = http.client.HTTPConnection("127.0.0.1", p, timeout=600)
            t = time.perf_counter()
            c.request("GET", path, headers={"Authorization": "Bearer " + tok})
            r = c.getresponse()
            body = r.read()
            dt = time.perf_counter() - t
            assert r.status == 200, (path, r.status, body[:300])
            return dt, body

        base = "/api/v1/supply/rounds/%d" % rid
        print("round of %d orders (%d households in the store)" % (orders, N))
        for label, path in [("figures (ordered / total, by state)", base + "?unit=" + COMMUNITY),
                            ("picking list, community, JSON", base + "/picking?unit=" + COMMUNITY),
                            ("picking list, community, HTML", base + "/picking?format=html&unit=" + COMMUNITY),
                            ("picking list, community, XLSX", base + "/picking?format=xlsx&unit=" + COMMUNITY),
                            ("picking list, one building, JSON", base + "/picking?unit=" + building)]:
            runs = [get(path) for _ in range(3)]
            print("  %-38s median %7.2f s  (%s)  %d bytes" % (label, statistics.median(r[0] for r in runs),
                                                           ", ".join("%.2f" % r[0] for r in runs), len(runs[0][1])))
            if "community, JSON" in label:
                got = json.loads(runs[0][1])["total"]
                assert got["households"] == orders, (got["households"], orders)
                assert got["totals"] == want, (got["totals"], want)
                print("  community totals equal the store's sums: %s" % json.dumps(want))
    finally:
        srv.terminate()
        srv.wait()


if __name__ == "__main__":
    main()

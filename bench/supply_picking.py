#!/usr/bin/env python3
"""bench/supply_picking.py [HOUSEHOLDS] — the picking list of a city-sized supply round.

Builds the qinghe demo with HOUSEHOLDS households (default 1,000,000) and a round in which
every household ordered (`wangge demo --round`: three packages, quantities 0-2 and at least
one vegetable package, about 2.3 lines an order, every seventh paid in cash) in bench/out/
(kept for the next run).  The orders are written by the server's own order code
(supply.c's order_write, 20,000 a transaction), so the round's counters and cash ledger are
what the API keeps; creating a million orders one by one over HTTP would take hours.  Then
it starts the server and times through the real API, three times each (median printed): the
round's figures (households ordered / total, by state, cash) of the community and of one
building, the picking list of the whole community as JSON, printable HTML and XLSX, and one
building's; one building's delivery sheet (what a volunteer team prints) as JSON, HTML and
XLSX; the round's cash per person with its handovers to the supplier, and a handover
recorded (three, each with its own receipt number); then the round is closed (once: a
store whose round was closed by an earlier run says so).  The community's totals are
checked against a sum over the store.  Prints figures, the server's peak memory (VmHWM) and
the machine's load average; asserts nothing about time.  SQLite (the sum over the store is
read with Python's sqlite3)."""
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
DB = os.path.join(OUT, "supply-round-%d.db" % N)
COMMUNITY = "420107003008"


def port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def main():
    os.makedirs(OUT, exist_ok=True)
    print("load average at the start: %.1f %.1f %.1f (%d cores)" % (os.getloadavg() + (os.cpu_count(),)))
    if not os.path.exists(DB):
        t = time.time()
        r = subprocess.run([BIN, "demo", "--db", DB, "--preset", "qinghe", "--households", str(N), "--seed", "1", "--round"],
                           check=True, capture_output=True, text=True)
        print("demo of %d households and its round built in %.0f s:" % (N, time.time() - t))
        print("  " + "\n  ".join(x for x in r.stdout.splitlines() if x.startswith(("demo", "round"))))
    con = sqlite3.connect(DB)
    rid = con.execute("SELECT id FROM supply_rounds WHERE name = '全体住户团购（压测）'").fetchone()[0]
    want = dict((str(p), q) for p, q in con.execute(
        "SELECT i.package_id, sum(i.qty) FROM supply_items i JOIN supply_orders o ON o.id = i.order_id"
        " WHERE o.round_id = ? AND o.state <> 'cancelled' GROUP BY i.package_id", (rid,)))
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

        def get(path, method="GET", body=None, want=200):
            c = http.client.HTTPConnection("127.0.0.1", p, timeout=600)
            t = time.perf_counter()
            hdr = {"Authorization": "Bearer " + tok}
            if body is not None:
                hdr["Content-Type"] = "application/json"
            c.request(method, path, json.dumps(body) if body is not None else None, hdr)
            r = c.getresponse()
            data = r.read()
            dt = time.perf_counter() - t
            assert r.status == want, (path, r.status, data[:300])
            return dt, data

        base = "/api/v1/supply/rounds/%d" % rid
        print("round of %d orders (%d households in the store)" % (orders, N))
        for label, path in [("figures (ordered / total, by state)", base + "?unit=" + COMMUNITY),
                            ("figures, one building", base + "?unit=" + building),
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
            if label.startswith("figures (") :
                f = json.loads(runs[0][1])["figures"]
                assert f["ordered"] == orders, (f["ordered"], orders)
                print("  %d of %d households ordered; cash received %s, still in hand %s" % (f["ordered"], f["households"], "¥%d.%02d" % divmod(f["cash"]["received_fen"], 100), f["cash"]["in_hand"]))
        for label, path in [("delivery sheet, one building, JSON", base + "/orders?unit=" + building),
                            ("delivery sheet, one building, HTML", base + "/orders?format=html&unit=" + building),
                            ("delivery sheet, one building, XLSX", base + "/orders?format=xlsx&unit=" + building),
                            ("cash per person and handovers", base + "/handovers?unit=" + COMMUNITY)]:
            runs = [get(path) for _ in range(3)]
            print("  %-38s median %7.2f s  (%s)  %d bytes" % (label, statistics.median(r[0] for r in runs),
                                                           ", ".join("%.2f" % r[0] for r in runs), len(runs[0][1])))
        # the whole community's delivery sheet is refused with its size (more than a sheet's
        # 100,000 rows), read from the counters, not cut short
        dt, body = get(base + "/orders?unit=" + COMMUNITY, want=400 if orders > 100000 else 200)
        print("  %-38s         %7.2f s  %s" % ("delivery sheet, whole community", dt,
                                              json.loads(body)["error"]["code"] if orders > 100000 else "%d bytes" % len(body)))
        pkgs = json.loads(get(base)[1])["packages"]
        stamp = int(time.time())
        runs = [get(base + "/handovers", "POST", {"holder": "gw01", "supplier_id": pkgs[0]["supplier_id"], "amount_fen": 100,
                                                  "receipt": "BENCH-%d-%d" % (stamp, k)}, 201) for k in range(3)]
        print("  %-38s median %7.2f s  (%s)  gw01 still holds %s of the round's cash" % (
            "a handover to the supplier", statistics.median(r[0] for r in runs), ", ".join("%.2f" % r[0] for r in runs),
            json.loads(runs[-1][1])["holder_in_hand"]))
        r0 = json.loads(get(base)[1])
        if r0["closed"]:
            print("  the round was closed by an earlier run (%s)" % r0["closed"])
        else:
            dt, body = get(base + "/close", "POST", {})
            print("  %-38s         %7.2f s  status %s" % ("closing the round", dt, json.loads(body)["status"]))
        with open("/proc/%d/status" % srv.pid) as st:
            print("  server's peak memory: " + " ".join(x.split(":")[1].strip() for x in st if x.startswith("VmHWM")))
        print("load average at the end: %.1f %.1f %.1f" % os.getloadavg())
    finally:
        srv.terminate()
        srv.wait()


if __name__ == "__main__":
    main()

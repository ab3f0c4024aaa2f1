#!/usr/bin/env python3
"""Gates on the city preset (issue 16): no preset puts gates on a city, so this loads them
into a copy of the city store the way the server keeps them, for bench/gates.sh CITY mode.

Per grid (each run as a closed compound): a checkpoint 北门 (open, people vehicles goods)
and a 南门 merged into it, with their history; a household pass for every household; two
staff passes (医护, 保供) scoped to the grid; and DAYS past days of the gates' life — the
day counters (gate_counts) and a passage log of PER_DAY passages a gate a day — and 2 % of
the living residents outside now.  Rows are written straight into the store (SQLite), as
POST /gates, /state, /households/{id}/pass and /passages would leave them; the live rush
then goes through the API.

usage: bench/gates_city.py STORE [DAYS] [PER_DAY]
Prints what it loaded and writes STORE.pairs (gate id, resident id of that gate's grid,
20,000 of them) and STORE.gates (the open gates' ids and their grids' codes)."""
import hashlib
import os
import random
import sqlite3
import sys
import time


def main():
    store = sys.argv[1]
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    per_day = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    rnd = random.Random(16)
    t0 = time.time()
    con = sqlite3.connect(store)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    now = int(time.time())
    grids = con.execute("SELECT id, code, name, path FROM units WHERE kind = 'grid' ORDER BY id").fetchall()
    with con:
        # the community above each grid under closed management, as 前进巷
        con.execute("INSERT INTO lockdowns(unit_id, level, since, reason)"
                    " SELECT id, 1, ?, '封闭管理' FROM units WHERE kind = 'community'"
                    " ON CONFLICT (unit_id) DO NOTHING", (now,))
        open_gate = {}
        for gid, code, name, path in grids:
            cur = con.execute("INSERT INTO gates(unit_id, name, people, vehicles, goods, state, created_at, updated_at)"
                              " VALUES (?, ?, 1, 1, 1, 'open', ?, ?)", (gid, name + "北门", now, now))
            north = cur.lastrowid
            cur = con.execute("INSERT INTO gates(unit_id, name, people, vehicles, goods, state, merged_into, created_at,"
                              " updated_at) VALUES (?, ?, 1, 0, 0, 'merged', ?, ?, ?)", (gid, name + "南门", north, now, now))
            south = cur.lastrowid
            con.executemany("INSERT INTO gate_history(gate_id, at, state, merged_into, reason) VALUES (?, ?, ?, ?, ?)",
                            [(north, now, "open", None, "设立"), (south, now, "open", None, "设立"),
                             (south, now, "merged", north, "封闭管理，只留北门")])
            con.execute("INSERT INTO compound_rules(unit_id, quota_outings, quota_days, test_max_hours, outing_minutes,"
                        " updated_at) VALUES (?, 1, 2, 48, 0, ?)", (gid, now))
            open_gate[path] = (north, code)
        # a household pass for every household
        hh = [r[0] for r in con.execute("SELECT id FROM households WHERE retired_at IS NULL")]
        today = time.strftime("%Y-%m-%d", time.gmtime(now + 8 * 3600))
        until = time.strftime("%Y-%m-%d", time.gmtime(now + 8 * 3600 + 13 * 86400))
        con.executemany("INSERT INTO household_passes(token_hash, household_id, valid_from, valid_to, created_at)"
                        " VALUES (?, ?, ?, ?, ?)",
                        ((hashlib.sha256(b"%d-%d" % (h, rnd.getrandbits(64))).hexdigest(), h, today, until, now) for h in hh))
        # two staff passes a grid
        for path, (north, code) in open_gate.items():
            gid = int(path.rstrip("/").split("/")[-1])
            for kind, name, employer in (("medical", "医护", "区人民医院"), ("supply", "保供", "保供企业")):
                cur = con.execute("INSERT INTO staff_passes(token_hash, kind, name, employer, phone, purpose, valid_from,"
                                  " valid_to, created_at) VALUES (?, ?, ?, ?, '13800000000', '保障', ?, ?, ?)",
                                  (hashlib.sha256(os.urandom(16)).hexdigest(), kind, name, employer, today, until, now))
                con.execute("INSERT INTO staff_pass_scope(pass_id, unit_id) VALUES (?, ?)", (cur.lastrowid, gid))
        # the past days: counters and a log
        keys = ("in:resident", "out:resident", "goods", "in:staff", "refused", "refused:quota_used")
        gates = [g for g, _ in open_gate.values()]
        grid_of_gate = {g: int(p.rstrip("/").split("/")[-1]) for p, (g, _) in open_gate.items()}
        for d in range(days, 0, -1):
            day = time.strftime("%Y-%m-%d", time.gmtime(now + 8 * 3600 - d * 86400))
            con.executemany("INSERT INTO gate_counts(gate_id, day, key, n) VALUES (?, ?, ?, ?)",
                            ((g, day, k, rnd.randint(1, per_day)) for g in gates for k in keys))
            at = now - d * 86400
            con.executemany("INSERT INTO passages(gate_id, unit_id, day, at, direction, kind, temperature, purpose,"
                            " allowed, reasons) VALUES (?, ?, ?, ?, ?, 'resident', 36.5, 'supplies', 1, '[]')",
                            ((g, grid_of_gate[g], day, at + i, "out" if i % 2 else "in") for g in gates for i in range(per_day)))
    # living residents, each with the open gate of their grid
    paths = {}
    for uid, path in con.execute("SELECT id, path FROM units WHERE kind IN ('building', 'entrance', 'grid')"):
        paths[uid] = path
    sample = con.execute("SELECT r.id, r.household_id, h.unit_id FROM residents r JOIN households h ON h.id = r.household_id"
                         " WHERE r.residence = 'living' AND r.moved_out_at IS NULL ORDER BY random() LIMIT 40000").fetchall()
    grid_paths = sorted(open_gate, key=len, reverse=True)
    pairs, outside = [], []
    for rid, hid, uid in sample:
        p = paths.get(uid, "")
        parts = p.strip("/").split("/")
        gp = "/" + "/".join(parts[:5]) + "/" if len(parts) >= 5 else None
        if gp in open_gate:
            gate = open_gate[gp][0]
            if len(pairs) < 20000:
                pairs.append((gate, rid))
            else:
                outside.append((rid, grid_of_gate[gate], gate, hid))
    with con:
        con.executemany("INSERT INTO outside_now(resident_id, unit_id, gate_id, household_id, since, passage_id)"
                        " VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (resident_id) DO NOTHING",
                        ((r, u, g, h, now - 3600) for r, u, g, h in outside))
    con.close()
    with open(store + ".pairs", "w") as f:
        f.write(",".join("{%d,%d}" % p for p in pairs))
    with open(store + ".gates", "w") as f:
        f.write(",".join(str(g) for g in gates) + "\n")
        f.write(",".join('"%s"' % c for _, c in open_gate.values()) + "\n")
    print("loaded in %.0f s: %d gates (%d open) on %d grids, %d household passes, %d staff passes, %d days of counters and"
          " %d passages, %d residents outside; %d (gate, resident) pairs"
          % (time.time() - t0, 2 * len(gates), len(gates), len(grids), len(hh), 2 * len(gates), days,
             days * per_day * len(gates), len(outside), len(pairs)))


if __name__ == "__main__":
    main()

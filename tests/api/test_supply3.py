"""Supplies through the API, the third round of issue 17 (docs/api.md "Supplies"): the cash
of the round orders in the cash ledger — an order paid in cash puts its total in the hand of
whoever marked it paid, a refund of it is handed back from that person's cash, and every
person's cash in hand is received − spent − returned to the fen over the errands and the
orders; a refund larger than what was paid is refused naming the field — and the round's
figures read from counters equal to a recount of the store after orders, changes,
cancellations, state moves, refunds and a new household.

One server for the module: the qinghe demo with 600 households (seed 7: two grids).  The
recounts read the store itself (SQLite file or PostgreSQL database, behind the server's
back, read only)."""
import datetime
import os
import sqlite3
import subprocess
import unittest

import harness as H

CHINA = datetime.timezone(datetime.timedelta(hours=8))
POP = {}
SEQ = {"n": 0}
USED = set()


def setUpModule():
    H.start(households=600, setup=_load)


def tearDownModule():
    H.stop()


def _load():
    st, b = H.as_user("gw01", "GET", "/api/v1/session")
    assert st == 200, b
    POP["grid"] = b["unit_code"] if "unit_code" in b else b["user"]["unit_code"]
    POP["hh"] = H.list_all("gw01", "/api/v1/households?unit=%s" % POP["grid"])
    st, b = H.as_user("secretary", "GET", "/api/v1/supply/packages?unit=%s" % H.COMMUNITY)
    assert st == 200, b
    POP["packages"] = [p["id"] for p in b["items"]]


def store_rows(sql):
    """Rows of a query on the server's store (read only), as lists of strings or ints."""
    if os.environ.get("WANGGE_TEST_PG"):
        out = subprocess.run(["psql", "-q", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1", "-d", H.db_path(), "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        rows = [line.split("|") for line in out.splitlines() if line]
        return [[int(x) if x.lstrip("-").isdigit() else x for x in r] for r in rows]
    con = sqlite3.connect(H.db_path(), timeout=30)
    try:
        return [list(r) for r in con.execute(sql).fetchall()]
    finally:
        con.close()


def when(hours):
    t = datetime.datetime.now(CHINA) + datetime.timedelta(hours=hours)
    return t.strftime("%Y-%m-%d %H:%M")


def building_of(h):
    """420107003008-B01-U1 → 420107003008-B01 (a household of an entrance: its building)."""
    code = h["unit_code"]
    return code.rsplit("-", 1)[0] if code.rsplit("-", 1)[-1].startswith("U") else code


def hh_free():
    for h in POP["hh"]:
        if h["id"] not in USED:
            USED.add(h["id"])
            return h
    raise AssertionError("no household left")


def new_round(slots=None):
    SEQ["n"] += 1
    body = {"unit": H.COMMUNITY, "name": "现金测试%d" % SEQ["n"], "opens": when(-1), "cutoff": when(10),
            "rest_minutes": 0, "packages": POP["packages"]}
    if slots:
        body["slots"] = slots
    st, b = H.as_user("secretary", "POST", "/api/v1/supply/rounds", body)
    assert st == 201, b
    return b


def order(rid, hid, payment, qty=(1, 1, 0), who="gw01", expect=201, slot=None):
    items = [{"package_id": p, "qty": q} for p, q in zip(POP["packages"], qty)]
    body = {"household_id": hid, "items": items, "payment": payment}
    if slot:
        body["slot_id"] = slot
    st, b = H.as_user(who, "POST", "/api/v1/supply/rounds/%d/orders" % rid, body)
    assert st == expect, (st, b)
    return b


def step(oid, to, who="vol01"):
    st, b = H.as_user(who, "POST", "/api/v1/supply/orders/%d/state" % oid, {"to": to})
    assert st == 200, (st, b)
    return b


def to_door(oid, payer="vol01"):
    step(oid, "paid", payer)
    for to in ("received", "disinfected", "at_door"):
        step(oid, to)


def cash(who="secretary", unit=H.COMMUNITY, user=None):
    path = "/api/v1/errands/cash?unit=%s" % unit + ("&user=%s" % user if user else "")
    st, b = H.as_user(who, "GET", path)
    assert st == 200, b
    return b


def hand(c):
    return {p["user"]: p for p in c["items"]}


def aftersale(oid, who="gw01"):
    st, a = H.as_user(who, "POST", "/api/v1/supply/orders/%d/aftersales" % oid, {"kind": "damaged", "note": "压坏了"})
    assert st == 201, a
    return a


def resolve(aid, body, who="secretary"):
    return H.as_user(who, "POST", "/api/v1/supply/aftersales/%d/resolve" % aid, body)


class CashLedger(unittest.TestCase):
    def test_orders_paid_in_cash_refunds_and_errands_to_the_fen(self):
        before = hand(cash())
        r = new_round()
        h1, h2, h3 = hh_free(), hh_free(), hh_free()
        o1 = order(r["id"], h1["id"], "cash", (1, 1, 0))
        o2 = order(r["id"], h2["id"], "cash", (0, 2, 1))
        o3 = order(r["id"], h3["id"], "online")
        # placing an order moves no cash: it is received when the order is marked paid
        self.assertEqual(hand(cash()), before)
        self.assertEqual(o1["cash"], [])
        to_door(o1["id"], payer="gw01")  # gw01 took the cash at the door of h1
        to_door(o2["id"], payer="vol01")
        to_door(o3["id"], payer="vol01")  # paid online: no cash
        for o in (o1, o2, o3):
            step(o["id"], "delivered")
        st, g1 = H.as_user("gw01", "GET", "/api/v1/supply/orders/%d" % o1["id"])
        self.assertEqual(st, 200, g1)
        self.assertEqual([(c["kind"], c["amount_fen"], c["holder"], c["by"]) for c in g1["cash"]],
                         [("received", o1["total_fen"], "gw01", "gw01")])
        st, g3 = H.as_user("gw01", "GET", "/api/v1/supply/orders/%d" % o3["id"])
        self.assertEqual(g3["cash"], [])
        # a refund larger than what was paid is refused, naming the field, and moves nothing
        a1 = aftersale(o1["id"])
        st, e = resolve(a1["id"], {"resolution": "refunded", "refund_fen": o1["total_fen"] + 1})
        self.assertEqual((st, H.err(e)), (400, ("refund_over_total", "refund_fen")), e)
        self.assertIn("¥", e["error"]["message"])
        # the secretary answers it: ¥15.00 handed back from the cash gw01 holds
        st, done = resolve(a1["id"], {"resolution": "refunded", "refund_fen": 1500, "answer": "退压坏的菜"})
        self.assertEqual(st, 200, done)
        self.assertEqual((done["payment"], done["refund_from"], done["refund_fen"]), ("cash", "gw01", 1500), done)
        # a refund of an order paid online goes back online: nobody's cash moves
        a3 = aftersale(o3["id"])
        st, d3 = resolve(a3["id"], {"resolution": "refunded", "refund_fen": 700, "answer": "线上退款"})
        self.assertEqual((st, d3["payment"], d3["refund_from"]), (200, "online", None), d3)
        st, g1 = H.as_user("gw01", "GET", "/api/v1/supply/orders/%d" % o1["id"])
        self.assertEqual([(c["kind"], c["amount_fen"], c["holder"], c["by"], c["aftersale_id"]) for c in g1["cash"]],
                         [("received", o1["total_fen"], "gw01", "gw01", None), ("returned", 1500, "gw01", "secretary", a1["id"])])
        # an errand's ledger in the same hands: ¥100 received, ¥86.50 spent, ¥13.50 still held
        st, er = H.as_user("gw01", "POST", "/api/v1/errands", {"household_id": h1["id"], "kind": "water", "detail": "桶装水2桶"})
        self.assertEqual(st, 201, er)
        H.as_user("gw01", "POST", "/api/v1/errands/%d/ledger" % er["id"], {"kind": "received", "amount_fen": 10000})
        st, b = H.as_user("gw01", "POST", "/api/v1/errands/%d/ledger" % er["id"],
                          {"kind": "spent", "amount_fen": 8650, "receipt": "W-1"})
        self.assertEqual((st, b["balance_fen"]), (201, 1350), b)
        # each person's cash in hand, to the fen: the changes are exactly these
        after = hand(cash())
        for p in after.values():
            self.assertEqual(p["in_hand_fen"], p["received_fen"] - p["spent_fen"] - p["returned_fen"], p)
        zero = {"received_fen": 0, "spent_fen": 0, "returned_fen": 0, "in_hand_fen": 0, "orders_received_fen": 0, "refunded_fen": 0}

        def delta(user, key):
            return after[user][key] - before.get(user, zero)[key]
        self.assertEqual(delta("gw01", "in_hand_fen"), o1["total_fen"] - 1500 + 1350)
        self.assertEqual(delta("gw01", "orders_received_fen"), o1["total_fen"])
        self.assertEqual(delta("gw01", "refunded_fen"), 1500)
        self.assertEqual(delta("gw01", "returned_fen"), 1500)
        self.assertEqual(delta("gw01", "received_fen"), o1["total_fen"] + 10000)
        self.assertEqual(delta("gw01", "spent_fen"), 8650)
        self.assertEqual(delta("vol01", "in_hand_fen"), o2["total_fen"])
        self.assertEqual(set(after) - set(before), {"vol01"} - set(before))
        c = cash()
        self.assertEqual(c["in_hand_fen"], sum(p["in_hand_fen"] for p in c["items"]))
        # a person's entries add up to their cash in hand, each naming its errand, order or case
        for user in ("gw01", "vol01"):
            mine = cash(user=user)
            self.assertEqual([p["user"] for p in mine["items"]], [user])
            total = sum((1 if x["kind"] == "received" else -1) * x["amount_fen"] for x in mine["entries"])
            self.assertEqual(total, mine["items"][0]["in_hand_fen"], user)
            for x in mine["entries"]:
                self.assertTrue(x["errand_id"] or x["order_id"], x)
        kinds = [(x["kind"], x["order_id"], x["aftersale_id"]) for x in cash(user="gw01")["entries"] if x["order_id"] == o1["id"]]
        self.assertEqual(sorted(kinds), [("received", o1["id"], None), ("returned", o1["id"], a1["id"])])
        # the round's figures: its cash received, handed back and still held
        st, rf = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d" % r["id"])
        self.assertEqual(rf["figures"]["cash"], {"received_fen": o1["total_fen"] + o2["total_fen"], "returned_fen": 1500,
                                                 "in_hand_fen": o1["total_fen"] + o2["total_fen"] - 1500,
                                                 "in_hand": "¥%d.%02d" % divmod(o1["total_fen"] + o2["total_fen"] - 1500, 100),
                                                 "handed_fen": 0, "handed": "¥0.00"})
        self.assertEqual(rf["figures"]["aftersales"]["refunded_fen"], 2200)
        # the other grid's worker sees gw01's cash of its own grid only; an unknown account is refused naming the field
        st, other = H.as_user("gw02", "GET", "/api/v1/errands/cash?unit=%s&user=gw01" % H.G2)
        self.assertEqual(st, 200)
        self.assertNotIn(o1["id"], [x["order_id"] for x in other["entries"]])
        self.assertNotIn(er["id"], [x["errand_id"] for x in other["entries"]])
        st, e = H.as_user("secretary", "GET", "/api/v1/errands/cash?unit=%s&user=nobody" % H.COMMUNITY)
        self.assertEqual((st, H.err(e)), (404, ("user_not_found", "user")), e)
        rows = H.audit_rows(entity="cash_ledger")
        self.assertTrue(any(x["action"] == "read" for x in rows), rows[:3])
        # the ledger of the round's cash survives in the store: the sum per holder equals the API
        rows = store_rows("SELECT u.username, sum(CASE WHEN c.kind = 'received' THEN c.amount_fen ELSE -c.amount_fen END)"
                          " FROM supply_cash c JOIN users u ON u.id = c.holder_id GROUP BY u.username")
        for user, fen in rows:
            self.assertEqual(fen, after[user]["orders_received_fen"] - after[user]["refunded_fen"], user)

    def test_bulk_paid_puts_the_cash_in_the_hand_of_who_marked_it(self):
        r = new_round()
        hs = [hh_free() for _ in range(3)]
        os_ = [order(r["id"], h["id"], p) for h, p in zip(hs, ("cash", "cash", "aid"))]
        before = hand(cash())
        st, adv = H.as_user("vol01", "POST", "/api/v1/supply/rounds/%d/advance" % r["id"], {"unit": POP["grid"], "to": "paid"})
        self.assertEqual((st, adv["moved"]), (200, 3), adv)
        after = hand(cash())
        got = after["vol01"]["orders_received_fen"] - before.get("vol01", {"orders_received_fen": 0})["orders_received_fen"]
        self.assertEqual(got, os_[0]["total_fen"] + os_[1]["total_fen"])


class FiguresRecount(unittest.TestCase):
    def recount(self, rid, code):
        path = store_rows("SELECT path FROM units WHERE code = '%s'" % code)[0][0]
        like = "path >= '%s' AND path < '%s0'" % (path, path[:-1])  # the subtree, as the server's scope_upper
        rows = store_rows("SELECT state, count(*) FROM supply_orders WHERE round_id = %d AND %s GROUP BY state" % (rid, like))
        by_state = {s: n for s, n in rows}
        hh = store_rows("SELECT count(DISTINCT h.id) FROM households h JOIN units u ON u.id = h.unit_id"
                        " JOIN residents r ON r.household_id = h.id WHERE u.%s AND h.retired_at IS NULL"
                        " AND r.moved_out_at IS NULL AND r.residence IN ('living', 'temporary')" % like)[0][0]
        aft = {s: (n, f) for s, n, f in store_rows(
            "SELECT state, count(*), sum(refund_fen) FROM supply_aftersales WHERE round_id = %d AND %s GROUP BY state" % (rid, like))}
        late = store_rows("SELECT count(*) FROM supply_orders o JOIN supply_slots s ON s.id = o.slot_id WHERE o.round_id = %d"
                          " AND o.%s AND s.ends_at < %d AND o.state NOT IN ('delivered', 'collected', 'cancelled')"
                          % (rid, like, int(datetime.datetime.now().timestamp())))[0][0]
        cash_ = store_rows("SELECT coalesce(sum(CASE WHEN kind = 'received' THEN amount_fen ELSE 0 END), 0),"
                           " coalesce(sum(CASE WHEN kind = 'returned' THEN amount_fen ELSE 0 END), 0)"
                           " FROM supply_cash WHERE round_id = %d AND %s" % (rid, like))[0]
        return {"households": hh, "orders": sum(by_state.values()),
                "ordered": sum(n for s, n in by_state.items() if s != "cancelled"),
                "by_state": by_state,
                "aftersales": {s: aft.get(s, (0, 0))[0] for s in ("open", "replaced", "refunded", "rejected")},
                "refunded_fen": sum(f or 0 for _, f in aft.values()),
                "cash": (cash_[0], cash_[1]), "late": late}

    def figures(self, rid, code):
        st, b = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d?unit=%s" % (rid, code))
        self.assertEqual(st, 200, b)
        f = b["figures"]
        return {"households": f["households"], "orders": f["orders"], "ordered": f["ordered"],
                "by_state": {k: v for k, v in f["by_state"].items() if v},
                "aftersales": {k: f["aftersales"][k] for k in ("open", "replaced", "refunded", "rejected")},
                "refunded_fen": f["aftersales"]["refunded_fen"],
                "cash": (f["cash"]["received_fen"], f["cash"]["returned_fen"]), "late": f["late"]}

    def check(self, rid, what):
        for code in (H.COMMUNITY, POP["grid"], H.G2, H.B01, H.E01):
            self.assertEqual(self.figures(rid, code), self.recount(rid, code), "%s at %s" % (what, code))
        # each pickup slot's places taken, against its orders
        st, b = H.as_user("secretary", "GET", "/api/v1/supply/rounds/%d" % rid)
        used = {x: n for x, n in store_rows("SELECT slot_id, count(*) FROM supply_orders WHERE round_id = %d"
                                             " AND slot_id IS NOT NULL AND state <> 'cancelled' GROUP BY slot_id" % rid)}
        self.assertEqual({x["id"]: x["used"] for x in b["slots"] if x["used"]}, used, what)

    def test_figures_equal_a_recount(self):
        hs = [hh_free() for _ in range(8)]
        # an ended pickup slot and a later one for each building: the orders of the ended one are late until handed over
        buildings = sorted({building_of(h) for h in hs})
        r = new_round(slots=[{"unit": b, "starts": when(k * 30 - 3), "ends": when(k * 30 - 2), "capacity": 20}
                             for b in buildings for k in (0, 1)])
        rid = r["id"]
        slot = {}
        for x in r["slots"]:
            slot.setdefault(x["unit"], []).append(x["id"])  # ended one first (ordered by start)
        self.check(rid, "an empty round")
        os_ = [order(rid, h["id"], ("cash", "online", "aid")[i % 3], (i % 3, 1 + i % 2, i % 2), slot=slot[building_of(h)][i % 2])
               for i, h in enumerate(hs)]
        self.check(rid, "orders")
        # a change, a cancellation (every quantity 0), a cancellation taken back
        order(rid, hs[0]["id"], "online", (2, 0, 1), expect=200, slot=slot[building_of(hs[0])][1])
        order(rid, hs[1]["id"], "cash", (0, 0, 0), expect=200)
        order(rid, hs[2]["id"], "cash", (0, 0, 0), expect=200)
        order(rid, hs[2]["id"], "cash", (1, 0, 0), expect=200, slot=slot[building_of(hs[2])][0])
        self.check(rid, "changes and cancellations")
        # state moves one by one and in bulk, some orders to the door and delivered
        step(os_[3]["id"], "paid", "gw01")
        st, adv = H.as_user("vol01", "POST", "/api/v1/supply/rounds/%d/advance" % rid, {"unit": POP["grid"], "to": "paid"})
        self.assertEqual(st, 200, adv)
        for o in os_[2:5]:
            for to in ("received", "disinfected", "at_door"):
                step(o["id"], to)
        step(os_[2]["id"], "delivered")
        step(os_[3]["id"], "collected")
        self.check(rid, "state moves")
        # refunds, a replacement and an open case
        a = aftersale(os_[2]["id"])
        self.assertEqual(resolve(a["id"], {"resolution": "refunded", "refund_fen": 300})[0], 200)
        a = aftersale(os_[3]["id"])
        self.assertEqual(resolve(a["id"], {"resolution": "refunded", "refund_fen": 250})[0], 200)
        a = aftersale(os_[4]["id"])
        self.assertEqual(resolve(a["id"], {"resolution": "replaced", "answer": "补发"})[0], 200)
        aftersale(os_[4]["id"])
        self.check(rid, "after-sales")
        # a new household with someone living there counts in the total at once
        before = self.figures(rid, POP["grid"])["households"]
        unit = hs[0]["unit_code"]
        st, h = H.as_user("secretary", "POST", "/api/v1/households", {"unit_code": unit, "room": "9%03d" % SEQ["n"], "occupancy": "occupied"})
        self.assertEqual(st, 201, h)
        st, p = H.as_user("secretary", "POST", "/api/v1/residents",
                          {"household_id": h["id"], "name": "新住户", "id_number": H.make_id(seq=SEQ["n"] + 400, birth="19770101"),
                           "phone": "1380000%04d" % SEQ["n"], "relation": "户主"})
        self.assertEqual(st, 201, p)
        self.assertEqual(self.figures(rid, POP["grid"])["households"], before + 1)
        self.check(rid, "a new household")


if __name__ == "__main__":
    unittest.main()
